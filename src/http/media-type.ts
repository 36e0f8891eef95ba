/**
 * Which bodies the registration endpoint reads (SEC-20): the profile's media types only, refused before
 * the body is parsed, with the status the profile's specification gives (415, or 400 for UK-DCR-42).
 */
import { profileConfigs } from '../config/load.ts'
import type { Config } from '../config/schema.ts'
import { mediaTypeOf } from '../lib/media-type.ts'
import { HttpError } from './errors.ts'

export { mediaTypeOf }

/** The media types of every profile in use; the profile of the SSA's directory narrows them once the body is read. */
export const acceptedMediaTypes = (config: Config): string[] => [...new Set(profileConfigs(config).flatMap((profile) => profile.registration.mediaTypes))]

/** `accepted`: the media types of every profile in use (a directory's own profile narrows it later). */
export function assertAcceptedMediaType(contentType: string | undefined, config: Config, accepted: readonly string[] = config.registration.mediaTypes): string {
  const mediaType = mediaTypeOf(contentType)
  if (!accepted.includes(mediaType)) {
    const status = config.registration.unsupportedMediaTypeStatus === 415 ? 415 : 400
    throw new HttpError(status, 'invalid_request', `Content-Type ${mediaType === '' ? '(none)' : mediaType} is not accepted here; send the registration request as ${accepted.join(' or ')}`)
  }
  return mediaType
}
