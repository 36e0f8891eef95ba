/**
 * Which bodies the registration endpoint reads (SEC-20): the profile's media types only, refused before
 * the body is parsed, with the status the profile's specification gives (415, or 400 for UK-DCR-42).
 */
import type { Profiles } from '../config/directory-profiles.ts'
import type { Config } from '../config/schema.ts'
import { describeError } from '../lib/error-table.ts'
import { mediaTypeOf } from '../lib/media-type.ts'
import { HttpError } from './errors.ts'

export { mediaTypeOf }

/** The media types of every profile in use; the profile of the SSA's directory narrows them once the body is read. */
export const acceptedMediaTypes = (profiles: Profiles): string[] => [...new Set(profiles.all.flatMap((profile) => profile.registration.mediaTypes))]

/** `accepted`: the media types of every profile in use (a directory's own profile narrows it later). */
export function assertAcceptedMediaType(contentType: string | undefined, config: Config, accepted: readonly string[] = config.registration.mediaTypes): string {
  const mediaType = mediaTypeOf(contentType)
  if (!accepted.includes(mediaType)) {
    const code = config.registration.unsupportedMediaTypeStatus === 415 ? 'http.unsupported_media_type' : 'http.media_type_refused'
    throw new HttpError(code, describeError(code, { mediaType: mediaType === '' ? '(none)' : mediaType, accepted: accepted.join(' or ') }))
  }
  return mediaType
}
