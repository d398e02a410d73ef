/** Classes of LineSkimmer.kind. */
export const SKIM_BLANK = 0;
export const SKIM_OTHER = 1;
export const SKIM_PACER = 2;
/** Needs the general path: decoded and classified as text. */
export const SKIM_TEXT = 3;

/**
 * Classifies a line from its bytes without decoding it, so the lines a parser can only count
 * (application output, pacer lines) cost one pass over their bytes.
 */
export class LineSkimmer {
  /** The class of the line last skimmed. */
  kind = SKIM_TEXT;

  /**
   * Returns the index of the newline ending the line at `start` (there must be one) and sets
   * `kind`. SKIM_TEXT when the line may be anything the parser recognizes or that needs decoding:
   * it contains `gc` (gc lines and their pieces, pre-1.5 lines), `GC` (GC forced), `GO`
   * (GOMEMLIMIT), `gogc` in any case, `scav`, `scvg`, `SC` (SCHED), non-ASCII bytes, or starts
   * like a log wrapper (`{`, a CRI timestamp). Otherwise the line is blank (ASCII whitespace
   * only), a pacer line (`pacer:`) or other text, which the parser's text path would count the
   * same way.
   */
  skim(b: Uint8Array, start: number): number {
    const first = b[start];
    if (
      first === 123 /* { */ ||
      (first >= 48 && first <= 57 && b[start + 4] === 45 && b[start + 10] === 84)
    ) {
      this.kind = SKIM_TEXT;
      return b.indexOf(10, start);
    }
    let kind = SKIM_BLANK;
    let i = start;
    for (; ; i++) {
      const c = b[i];
      if (c === 10) break;
      if (c === 32 || (c >= 9 && c <= 13)) continue;
      if (c >= 128) {
        kind = SKIM_TEXT;
        break;
      }
      if (kind === SKIM_BLANK) kind = SKIM_OTHER;
      const lower = c | 32;
      if (lower === 103 /* g */) {
        const next = b[i + 1];
        if ((next | 32) === 99 /* c */ || (c === 71 && next === 79) /* GO */) {
          kind = SKIM_TEXT;
          break;
        }
        if ((next | 32) === 111 /* o */ && (b[i + 2] | 32) === 103 && (b[i + 3] | 32) === 99) {
          kind = SKIM_TEXT;
          break;
        }
      } else if (c === 115 /* s */ && b[i + 1] === 99) {
        const third = b[i + 2];
        const fourth = b[i + 3];
        if ((third === 97 && fourth === 118) /* scav */ || (third === 118 && fourth === 103) /* scvg */) {
          kind = SKIM_TEXT;
          break;
        }
      } else if (c === 83 /* S */ && b[i + 1] === 67 /* C */) {
        kind = SKIM_TEXT;
        break;
      } else if (
        c === 112 /* pacer: */ &&
        b[i + 1] === 97 &&
        b[i + 2] === 99 &&
        b[i + 3] === 101 &&
        b[i + 4] === 114 &&
        b[i + 5] === 58
      ) {
        kind = SKIM_PACER;
      }
    }
    this.kind = kind;
    return kind === SKIM_TEXT ? b.indexOf(10, i) : i;
  }
}
