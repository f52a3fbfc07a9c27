// store.js - a small observable state container and the hook that
// re-renders a component when the part it reads changes.
import { useEffect, useState } from "./html.js";

export function createStore(initial) {
  let state = initial;
  const subs = new Set();
  return {
    get: () => state,
    /** set(patch) merges; set(fn) replaces with fn(state). */
    set(patch) {
      state = typeof patch === "function" ? patch(state) : { ...state, ...patch };
      for (const fn of subs) fn(state);
    },
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
  };
}

/** The value of select(state), kept current. */
export function useStore(store, select = (s) => s) {
  const [value, setValue] = useState(() => select(store.get()));
  useEffect(() => {
    setValue(select(store.get()));
    return store.subscribe((s) => setValue(() => select(s)));
  }, [store]);
  return value;
}
