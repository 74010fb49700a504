/**
 * Keys never reach a log or a file: every line a live run prints or writes goes through a
 * Redactor that replaces the key id and the secret (and any APCA-API-* header echo) with
 * placeholders. Errors from the SDK or the network are formatted through it too.
 */
export class Redactor {
  private readonly secrets: { value: string; label: string }[];

  constructor(keys: { keyId?: string; secret?: string }) {
    this.secrets = [];
    // Longest first, so a secret containing the key id is replaced whole.
    if (keys.secret) this.secrets.push({ value: keys.secret, label: '[secret]' });
    if (keys.keyId) this.secrets.push({ value: keys.keyId, label: '[key id]' });
    this.secrets.sort((a, b) => b.value.length - a.value.length);
  }

  text(input: string): string {
    let out = input;
    for (const { value, label } of this.secrets) if (value.length > 0) out = out.split(value).join(label);
    return out.replace(/(APCA-API-(?:KEY-ID|SECRET-KEY)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, '$1[redacted]');
  }

  /** A one-line description of any thrown value, redacted. */
  error(err: unknown): string {
    if (err instanceof Error) {
      const status = (err as { status?: unknown }).status;
      const cause = (err as { cause?: unknown }).cause;
      const causeText = cause instanceof Error && cause.message && cause.message !== err.message ? ` (${cause.message})` : '';
      return this.text(`${err.name}${typeof status === 'number' ? ` ${status}` : ''}: ${err.message}${causeText}`);
    }
    return this.text(String(err));
  }
}
