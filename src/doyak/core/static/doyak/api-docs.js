/* Swagger UI for /api/v1/docs, from the swagger-ui-dist npm package: a file, not an inline script, so the
   page runs under the same Content-Security-Policy as every other. Settings come from a JSON data block. */
window.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  var csrfToken = document.body.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  if (csrfToken) {
    config.requestInterceptor = function (request) {
      request.headers["X-CSRFToken"] = csrfToken;
      return request;
    };
  }
  window.ui = SwaggerUIBundle(config);
});
