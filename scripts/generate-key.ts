/** `npm run key:generate [id]`: print a new master key entry for PANEL_SECRET_KEY. */
import { generateKeySpec } from "../lib/crypto";

const id = process.argv[2] ?? "k1";
if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
  console.error(`Invalid key id "${id}": use letters, digits, - and _ (at most 32).`);
  process.exit(2);
}
console.log(generateKeySpec(id));
