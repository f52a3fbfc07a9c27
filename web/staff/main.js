import { html, render } from "../lib/html.js";
render(html`<p>员工后台</p>`, document.getElementById("root"));
