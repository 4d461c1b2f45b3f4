import { describe, expect, it } from "vitest";
import { IdAliases, UndoStack, type Command } from "./history";

function counter() {
  const state = { x: 0 };
  const add = (n: number): Command => ({
    label: `add ${n}`,
    apply: async () => void (state.x += n),
    revert: async () => void (state.x -= n),
  });
  return { state, add };
}

describe("undo stack", () => {
  it("undoes and redoes in order", async () => {
    const { state, add } = counter();
    const s = new UndoStack();
    await s.run(add(1));
    await s.run(add(10));
    expect(state.x).toBe(11);
    expect(s.undoLabel).toBe("add 10");
    await s.undo();
    expect(state.x).toBe(1);
    await s.undo();
    expect(state.x).toBe(0);
    expect(await s.undo()).toBe(false);
    await s.redo();
    expect(state.x).toBe(1);
    await s.run(add(5)); // a new edit drops the redo branch
    expect(s.canRedo).toBe(false);
    expect(state.x).toBe(6);
  });
  it("keeps a failed undo on the stack", async () => {
    const s = new UndoStack();
    let fail = true;
    const cmd: Command = {
      label: "x",
      apply: async () => {},
      revert: async () => {
        if (fail) throw new Error("412");
      },
    };
    s.record(cmd);
    await expect(s.undo()).rejects.toThrow("412");
    expect(s.canUndo).toBe(true);
    fail = false;
    expect(await s.undo()).toBe(true);
    expect(s.canUndo).toBe(false);
  });
  it("bounds its length", async () => {
    const { add } = counter();
    const s = new UndoStack(2);
    s.record(add(1));
    s.record(add(2));
    s.record(add(3));
    await s.undo();
    await s.undo();
    expect(s.canUndo).toBe(false);
  });
});

describe("id aliases", () => {
  it("follows re-creations", () => {
    const a = new IdAliases();
    a.set("node", 1, 5);
    a.set("node", 5, 9);
    expect(a.resolve("node", 1)).toBe(9);
    expect(a.resolve("link", 1)).toBe(1);
    expect(a.resolve("node", 2)).toBe(2);
  });
});
