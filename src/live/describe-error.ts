/** Short, key-free description of an error (status and message only). */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const status = (err as { status?: unknown }).status;
    return `${typeof status === 'number' ? `${status} ` : ''}${err.message || err.name}`;
  }
  return String(err);
}

