/**
 * From core errors to {@link ApiError}s a person understands. The words come from the one table of failures
 * (`describeFailure`, src-main/text/failures.ts); this module only reads the typed facts of a thrown value — its
 * `code`, the `reason` of a failed file operation, the peer's own words, a detail — from its fields, never from its
 * message.
 */
import { ApiError } from '../api/index.ts'
import { errorMessage } from '../core/index.ts'
import { describeFailure, failureOf, t } from '../text/index.ts'
import type { FailureContext } from '../text/index.ts'

export { describeFailure, failureOf }

/** Context that makes a message personal: the name of the peer involved, and this device's side. */
export type ErrorContext = FailureContext

/** The {@link ApiError} for any thrown value: a core `FerryError` by its code, anything else as `internal`. */
export function toApiError (err: unknown, ctx: ErrorContext = {}): ApiError {
  if (err instanceof ApiError) return err
  const failure = failureOf(err)
  if (failure == null) return new ApiError('internal', t('app.internal', { message: errorMessage(err) }))
  const described = describeFailure(failure, ctx)
  return new ApiError(described.code, described.message)
}
