// Swagger UI on the server's own OpenAPI document; no validator badge (it would call out).
import { fetchSpec, showError, withToken } from "./docs-auth.js";

const root = document.getElementById("swagger-ui");
fetchSpec()
  .then((spec) => {
    window.ui = SwaggerUIBundle({
      spec,
      dom_id: "#swagger-ui",
      deepLinking: true,
      validatorUrl: null,
      presets: [SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      requestInterceptor: (request) => {
        request.headers = withToken(request.headers || {});
        return request;
      },
    });
  })
  .catch((error) => showError(root, error));
