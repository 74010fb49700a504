/**
 * Bad input from a user (config, data file, order file, flag): the CLI prints the message and
 * exits 2. The message must name the file, and where it applies the row and field.
 */
export class InputError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
