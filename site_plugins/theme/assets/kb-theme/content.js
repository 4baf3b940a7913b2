/* mkdocs-material 9.8.1 partials/javascripts/content.html's inline script, as a file: kb's Content-Security-Policy runs no inline script. */
var target=document.getElementById(location.hash.slice(1));target&&target.name&&(target.checked=target.name.startsWith("__tabbed_"))
