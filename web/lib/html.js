// html.js - the view library (Preact with htm tagged templates, pinned and
// fetched by scripts/vendor.sh, embedded by the build): one import for
// every page.
export { h, render, Fragment, createContext } from "preact";
export { html } from "htm/preact";
export {
  useState, useEffect, useLayoutEffect, useRef, useMemo, useCallback, useContext, useReducer,
} from "preact/hooks";
