/**
 * An error the vault answers with, shaped like AKV's `{"error":{"code","message","innererror"}}`.
 * Messages name operations, secret names and principals only, never values or request bodies.
 */
export class VaultApiError extends Error {
  override readonly name = 'VaultApiError';
  readonly status: number;
  readonly code: string;
  readonly innerCode: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, code: string, message: string, extra: { innerCode?: string; retryAfterSeconds?: number } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.innerCode = extra.innerCode;
    this.retryAfterSeconds = extra.retryAfterSeconds;
  }

  /** As the Azure SDK's RestError names it, so one mapping (providers/azurekv/errors.ts) reads both. */
  get statusCode(): number {
    return this.status;
  }

  /** The parsed body, as RestError.details holds it. */
  get details(): ReturnType<VaultApiError['toBody']> {
    return this.toBody();
  }

  toBody(): { error: { code: string; message: string; innererror?: { code: string } } } {
    const error: { code: string; message: string; innererror?: { code: string } } = { code: this.code, message: this.message };
    if (this.innerCode) error.innererror = { code: this.innerCode };
    return { error };
  }
}

export function secretNotFound(name: string, version?: string): VaultApiError {
  const what = version ? `A secret with (name/id) ${name}/${version}` : `A secret with (name/id) ${name}`;
  return new VaultApiError(404, 'SecretNotFound', `${what} was not found in this key vault.`);
}

export function deletedSecretNotFound(name: string): VaultApiError {
  return new VaultApiError(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);
}

export function badParameter(message: string): VaultApiError {
  return new VaultApiError(400, 'BadParameter', message);
}
