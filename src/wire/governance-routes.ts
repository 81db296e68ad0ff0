/** The governance routes of the node API (node/flows/governance.ts, docs/governance.md). */
export const GOVERNANCE_ROUTES = {
  scripts: '/v1/scripts',
  script: (hash: string): string => `/v1/scripts/${hash}`,
  approvals: (hash: string): string => `/v1/scripts/${hash}/approvals`,
  revocations: (hash: string): string => `/v1/scripts/${hash}/revocations`,
  audit: '/v1/audit',
  attestation: (query: string): string => `/v1/results/${encodeURIComponent(query)}/attestation`,
} as const;
