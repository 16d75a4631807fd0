/** Stable error codes for everything Skiff throws. Data-path outcomes are local replies, not errors. */
export type SkiffErrorCode =
  | 'SKIFF_ERR_CONFIG'
  | 'SKIFF_ERR_CONFIG_READ'
  | 'SKIFF_ERR_LISTEN'
  | 'SKIFF_ERR_DNS'
  | 'SKIFF_ERR_USAGE'
  | 'SKIFF_ERR_RELOAD'
  | 'SKIFF_ERR_INTERNAL';

export class SkiffError extends Error {
  readonly code: SkiffErrorCode;
  constructor(code: SkiffErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'SkiffError';
  }
}
