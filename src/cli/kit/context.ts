/** What every subcommand gets: the settings, the config file (loaded once, when asked) and a client. */
import type { Client } from '@temporalio/client';
import type { TemporalSettings } from '../../config.js';
import { loadConfig, type BumpflowConfig } from '../../configFile.js';
import { connect } from './connect.js';

export interface CliContext {
  env: NodeJS.ProcessEnv;
  settings: TemporalSettings;
  /** the config file named by --config or BUMPFLOW_CONFIG, if any */
  config(): BumpflowConfig | undefined;
  /** a connected client (exit 3 if the server is not reachable) */
  client(): Promise<Client>;
}

export function createContext(
  env: NodeJS.ProcessEnv,
  settings: TemporalSettings,
  configFile: () => string | undefined,
): CliContext {
  let config: BumpflowConfig | undefined;
  let client: Promise<Client> | undefined;
  return {
    env,
    settings,
    config() {
      const file = configFile();
      if (file === undefined) return undefined;
      config ??= loadConfig(file);
      return config;
    },
    client() {
      client ??= connect(settings);
      return client;
    },
  };
}

export function print(json: boolean, data: unknown, text: string): void {
  console.log(json ? JSON.stringify(data, null, 2) : text);
}
