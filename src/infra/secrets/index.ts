/**
 * The secrets vault (BRIEF "Secrets"): SSH passwords and keys, database passwords, API keys and HMAC secrets are
 * stored sealed with AES-256-GCM and handed around by id. The API never returns a value; workflows carry only ids.
 */
export { SecretIntegrityError, open as openSealed, seal } from './cipher';
export { SECRET_KEY_FILE, SecretKey, SecretKeyError, keyIdOf, loadSecretKey, parseSecretKey } from './key';
export { SecretNotFoundError, SecretRef, SecretVault, deleteSecret, describeSecret, readSecret, replaceSecret, storeSecret } from './vault';
