/** Token hashing lives in src/infra (persistence uses it too, and may not import the API); re-exported for the API's code. */
export { hashToken, newToken, tokenPrefix } from '../../infra/api-tokens';
