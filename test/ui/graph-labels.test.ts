/** The call graph's middle truncation of labels too long for their boxes. */
import { describe, expect, it } from "vitest";
import { middleTruncate } from "../../src/ui/web/src/views/graph-labels.js";

describe("middleTruncate", () => {
  it("keeps short text and cuts long text in the middle to the asked length", () => {
    expect(middleTruncate("main.main", 20)).toBe("main.main");
    const name = "main.(*sessionStore).remember";
    for (let keep = 2; keep < name.length; keep++) {
      const cut = middleTruncate(name, keep);
      expect(cut).toHaveLength(keep);
      const [head, tail] = cut.split("…");
      expect(name.startsWith(head!)).toBe(true);
      expect(name.endsWith(tail!)).toBe(true);
      expect(head!.length - tail!.length).toBeGreaterThanOrEqual(0);
      expect(head!.length - tail!.length).toBeLessThanOrEqual(1);
    }
    expect(middleTruncate(name, 1)).toBe("…");
  });
});
