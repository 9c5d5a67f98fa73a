/** Limits of a road report, shared by the schemas and the citizen form. */
export const DESCRIPTION_MIN = 5
export const DESCRIPTION_MAX = 500
export const MAX_PHOTOS = 9
export const PHOTO_MAX_BYTES = 10 * 1024 * 1024
