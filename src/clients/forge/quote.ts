/** Short, one-value renderings of what GitHub said, for error messages. */
const MAX_QUOTED = 300;

export function clip(text: string): string {
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}

/** A body as JSON text (a string body quoted), clipped. */
export function quote(data: unknown): string {
  let text: string;
  try {
    text = typeof data === 'string' ? JSON.stringify(data) : (JSON.stringify(data) ?? String(data));
  } catch {
    text = String(data);
  }
  return clip(text);
}
