/** The design-mode routes of the node API (node/flows/design.ts, docs/governance.md "Design mode"). */
export const DESIGN_ROUTES = {
  tables: '/v1/design/tables',
  table: (name: string): string => `/v1/design/tables/${encodeURIComponent(name)}`,
} as const;

/** A table as design queries see it: an owner's uploaded dummy, or one generated from the real table's schema. */
export interface DesignTableInfo {
  readonly name: string;
  readonly owner: string;
  readonly source: 'uploaded' | 'generated';
  readonly rows: number;
  readonly schema: unknown;
  /** Identifies the dummy's content (the nodes compare it before computing). */
  readonly digest: string;
  /** Why design queries refuse it now (an uploaded dummy that no longer matches its real table). */
  readonly problem?: string;
}
