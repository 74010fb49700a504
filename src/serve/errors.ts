/**
 * Alpaca's error envelope: an HTTP status plus `{ code, message }` (ALPACA-NOTES.md). The SDK
 * turns these into its typed errors by status (401 AuthError, 403 PermissionError, 404
 * NotFoundError, 400/422 ValidationError, 429 RateLimitError, else ApiError).
 */

/** Alpaca's numeric error codes, by the status they go with. */
export const ALPACA_CODES = {
  badRequest: 40010000,
  invalidField: 40010001,
  unauthorized: 40110000,
  forbidden: 40310000,
  notFound: 40410000,
  methodNotAllowed: 40510000,
  unprocessable: 42210000,
  rateLimited: 42910000,
  internal: 50010000,
} as const;

export class AlpacaError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'AlpacaError';
  }

  body(): { code: number; message: string } {
    return { code: this.code, message: this.message };
  }
}

export const invalid = (message: string): AlpacaError => new AlpacaError(422, ALPACA_CODES.invalidField, message);
export const unprocessable = (message: string): AlpacaError => new AlpacaError(422, ALPACA_CODES.unprocessable, message);
export const notFound = (message: string): AlpacaError => new AlpacaError(404, ALPACA_CODES.notFound, message);
export const forbidden = (message: string): AlpacaError => new AlpacaError(403, ALPACA_CODES.forbidden, message);
export const malformed = (message: string): AlpacaError => new AlpacaError(400, ALPACA_CODES.badRequest, message);
