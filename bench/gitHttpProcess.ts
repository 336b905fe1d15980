/**
 * The sandbox's smart-HTTP git server (`git http-backend` per request, each
 * request held `rttMs`; src/sandbox/gitHttpServer.ts) in a process of its own,
 * so the CPU of the server-side git processes is that process's ended children
 * (cutime + cstime) and nothing else's. Started with `fork`; it answers
 * `count` with the number of requests it saw and ends when its parent
 * disconnects or stops it.
 *
 *   node --import tsx bench/gitHttpProcess.ts <root> <rttMs>   (as a forked child only)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startGitHttp } from './latencyProxy.js';

export interface GitHttpProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  pid: number;
  /** requests the server saw so far */
  requests(): Promise<number>;
  close(): Promise<void>;
}

type Message = { url: string } | { count: number };

export async function startGitHttpProcess(root: string, rttMs: number): Promise<GitHttpProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [root, String(rttMs)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  // a Ctrl-C reaches this process too: once it is gone, `requests` rejects instead of the send throwing
  child.on('error', () => undefined);
  const waiting: Array<(count: number) => void> = [];
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`bench: the git HTTP process exited (${code}) before listening`)),
    );
    child.on('message', (m: Message) => {
      if ('url' in m) resolve(m.url);
      else waiting.shift()?.(m.count);
    });
  });
  const close = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(force);
  };
  return {
    url,
    pid: child.pid!,
    requests: () =>
      new Promise<number>((resolve, reject) => {
        if (!child.connected) return reject(new Error('bench: the git HTTP process is gone'));
        waiting.push(resolve);
        child.send('count');
      }),
    close,
  };
}

if (process.send !== undefined && process.argv[1] === fileURLToPath(import.meta.url)) {
  const [root, rtt] = process.argv.slice(2);
  const server = await startGitHttp(root!, Number(rtt));
  const stop = (): void => void server.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  process.on('message', () => process.send!({ count: server.requests.length }));
  process.send({ url: server.url });
}
