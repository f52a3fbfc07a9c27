import { html, render } from "../lib/html.js";
render(html`<p>你好</p>`, document.getElementById("root"));
