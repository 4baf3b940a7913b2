/* mkdocs-material 9.8.1 partials/javascripts/announce.html's inline script, as a file: kb's Content-Security-Policy runs no inline script. */
var el=document.querySelector("[data-md-component=announce]");if(el){var content=el.querySelector(".md-typeset");__md_hash(content.innerHTML)===__md_get("__announce")&&(el.hidden=!0)}
