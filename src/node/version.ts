/** The version reported by nodes (health, OpenAPI); kept in step with package.json. */
export const TESSERA_VERSION = '0.1.0';
