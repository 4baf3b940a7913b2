/* mkdocs-material 9.8.1 partials/javascripts/outdated.html's inline script, as a file: kb's Content-Security-Policy runs no inline script. */
var el=document.querySelector("[data-md-component=outdated]"),base=new URL(document.currentScript.getAttribute("data-md-base"),location),outdated=__md_get("__outdated",sessionStorage,base);!0===outdated&&el&&(el.hidden=!1)
