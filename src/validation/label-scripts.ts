/**
 * The Unicode scripts of one domain label, and whether they may be mixed (SEC-26: internationalised names;
 * issue 13 item 8: mixed-script homographs such as `аpp` with a Cyrillic `а`). The rule is the "Highly
 * Restrictive" level of UTS #39 §5.2: the letters of a label belong to one script, or to one of the
 * combinations written together in East Asia (Latin + Han + Hiragana + Katakana, Latin + Han + Bopomofo,
 * Latin + Han + Hangul). Code points of the Common and Inherited scripts (digits, the hyphen, combining
 * marks) go with any script; an unassigned code point (script Unknown) is never accepted.
 * Whole-script confusables (a label all in Cyrillic that looks Latin) are not detected here.
 */

/**
 * Every value of the Unicode Script property that Node's regular expressions know (Unicode 17). A code point
 * of a script missing here counts as Unknown, so a newer Unicode fails closed until the list is extended
 * (test/validation/label-scripts.test.ts checks that the list covers every code point).
 */
export const SCRIPT_NAMES = [
  'Adlam', 'Ahom', 'Anatolian_Hieroglyphs', 'Arabic', 'Armenian', 'Avestan', 'Balinese', 'Bamum', 'Bassa_Vah', 'Batak',
  'Bengali', 'Beria_Erfe', 'Bhaiksuki', 'Bopomofo', 'Brahmi', 'Braille', 'Buginese', 'Buhid', 'Canadian_Aboriginal',
  'Carian', 'Caucasian_Albanian', 'Chakma', 'Cham', 'Cherokee', 'Chorasmian', 'Common', 'Coptic', 'Cuneiform', 'Cypriot',
  'Cypro_Minoan', 'Cyrillic', 'Deseret', 'Devanagari', 'Dives_Akuru', 'Dogra', 'Duployan', 'Egyptian_Hieroglyphs',
  'Elbasan', 'Elymaic', 'Ethiopic', 'Garay', 'Georgian', 'Glagolitic', 'Gothic', 'Grantha', 'Greek', 'Gujarati',
  'Gunjala_Gondi', 'Gurmukhi', 'Gurung_Khema', 'Han', 'Hangul', 'Hanifi_Rohingya', 'Hanunoo', 'Hatran', 'Hebrew',
  'Hiragana', 'Imperial_Aramaic', 'Inherited', 'Inscriptional_Pahlavi', 'Inscriptional_Parthian', 'Javanese', 'Kaithi',
  'Kannada', 'Katakana', 'Kawi', 'Kayah_Li', 'Kharoshthi', 'Khitan_Small_Script', 'Khmer', 'Khojki', 'Khudawadi',
  'Kirat_Rai', 'Lao', 'Latin', 'Lepcha', 'Limbu', 'Linear_A', 'Linear_B', 'Lisu', 'Lycian', 'Lydian', 'Mahajani',
  'Makasar', 'Malayalam', 'Mandaic', 'Manichaean', 'Marchen', 'Masaram_Gondi', 'Medefaidrin', 'Meetei_Mayek',
  'Mende_Kikakui', 'Meroitic_Cursive', 'Meroitic_Hieroglyphs', 'Miao', 'Modi', 'Mongolian', 'Mro', 'Multani', 'Myanmar',
  'Nabataean', 'Nag_Mundari', 'Nandinagari', 'New_Tai_Lue', 'Newa', 'Nko', 'Nushu', 'Nyiakeng_Puachue_Hmong', 'Ogham',
  'Ol_Chiki', 'Ol_Onal', 'Old_Hungarian', 'Old_Italic', 'Old_North_Arabian', 'Old_Permic', 'Old_Persian', 'Old_Sogdian',
  'Old_South_Arabian', 'Old_Turkic', 'Old_Uyghur', 'Oriya', 'Osage', 'Osmanya', 'Pahawh_Hmong', 'Palmyrene',
  'Pau_Cin_Hau', 'Phags_Pa', 'Phoenician', 'Psalter_Pahlavi', 'Rejang', 'Runic', 'Samaritan', 'Saurashtra', 'Sharada',
  'Shavian', 'Siddham', 'Sidetic', 'SignWriting', 'Sinhala', 'Sogdian', 'Sora_Sompeng', 'Soyombo', 'Sundanese',
  'Sunuwar', 'Syloti_Nagri', 'Syriac', 'Tagalog', 'Tagbanwa', 'Tai_Le', 'Tai_Tham', 'Tai_Viet', 'Tai_Yo', 'Takri',
  'Tamil', 'Tangsa', 'Tangut', 'Telugu', 'Thaana', 'Thai', 'Tibetan', 'Tifinagh', 'Tirhuta', 'Todhri', 'Tolong_Siki',
  'Toto', 'Tulu_Tigalari', 'Ugaritic', 'Vai', 'Vithkuqi', 'Wancho', 'Warang_Citi', 'Yezidi', 'Yi', 'Zanabazar_Square',
] as const

const SCRIPT_PATTERNS = SCRIPT_NAMES.map((name) => ({ name, pattern: new RegExp(`^\\p{Script=${name}}$`, 'u') }))

/** Scripts that go with any other: digits, punctuation such as the hyphen, combining marks. */
const NEUTRAL = new Set<string>(['Common', 'Inherited'])

/** The mixes UTS #39 §5.2 "Highly Restrictive" accepts besides a single script. */
const ACCEPTED_MIXES: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
]

/** The Script property value of one code point, `Unknown` for an unassigned one. */
export function scriptOf(character: string): string {
  return SCRIPT_PATTERNS.find(({ pattern }) => pattern.test(character))?.name ?? 'Unknown'
}

/**
 * Why the scripts of `label` (a U-label: Unicode, not punycode) may not be mixed, or undefined when they may.
 * The reason names the scripts, e.g. `it mixes the scripts Cyrillic and Latin`.
 */
export function labelScriptProblem(label: string): string | undefined {
  // An ASCII label is Latin and Common only.
  if (/^\p{ASCII}*$/u.test(label)) return undefined
  const scripts = new Set<string>()
  for (const character of label) {
    const script = scriptOf(character)
    if (script === 'Unknown') return `it contains the unassigned code point U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
    if (!NEUTRAL.has(script)) scripts.add(script)
  }
  if (scripts.size <= 1) return undefined
  if (ACCEPTED_MIXES.some((mix) => [...scripts].every((script) => mix.has(script)))) return undefined
  return `it mixes the scripts ${[...scripts].sort().join(' and ')}, as homographs of other names do; use one script per label`
}
