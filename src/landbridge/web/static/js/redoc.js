// ReDoc on the server's own OpenAPI document, read with the token when the server needs one.
import { fetchSpec, showError } from "./docs-auth.js";

const root = document.getElementById("redoc");
fetchSpec()
  .then((spec) => Redoc.init(spec, {}, root))
  .catch((error) => showError(root, error));
