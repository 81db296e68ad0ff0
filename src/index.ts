/**
 * Tessera's public API: the client SDK, the node server, and the building blocks both use
 * (collaborations, identities, schemas). See docs/system.md.
 */

// client SDK
export { Tessera, type ConnectOptions, type UploadOptions, type QueryOptions, type QueryHandle, type Credential } from './client/tessera.js';
export type { QueryResult, DecodedOutput, ResultCell, ResultTable } from './client/result.js';
export type { ResultColumnType } from './client/result-types.js';
export { tableColumn, type ResultColumn } from './client/result-columns.js';
export { writeResult, resultColumns, type WriteResultOptions, type WritableResult, type WrittenResult, type ResultFileFormat } from './client/write-result.js';
export { GroupedFrame, type CrosstabOptions } from './client/grouped-frame.js';
export { LazyFrame, scanFrame, type FrameHandle, type FrameResult, type OpenOptions } from './client/frame.js';
export { aggregate, count, countDistinct, sum, mean, min, max, variance, std, median, quantile, corr, covarSamp, type AggregateExpr } from './client/aggregates.js';
export { col, lit, and, or, not, ifElse, when, Condition, ColumnRef, Expression, type Literal, type Operand } from './client/expr.js';
export type { Explanation } from './client/explain.js';
export type { ContributionValues } from './client/contribution.js';
export { tTest, pairedTTest, anova, chiSquare, type FrameTTestOptions, type FramePairedOptions, type FrameTTestResult, type FrameAnovaResult, type FrameChiSquareOptions, type FrameChiSquareResult } from './stats/frame-tests.js';
export { describe, describeText, DESCRIBE_STATISTICS, type Description, type DescribeStatistic, type DescribeOptions } from './stats/describe.js';
export { histogram, type Histogram, type HistogramOptions } from './stats/histogram.js';
export { correlation, covariance, matrixText, type CorrelationOptions, type Matrix } from './stats/correlation.js';
export { mannWhitney, kruskalWallis, rankColumns, type FrameMannWhitneyResult, type FrameKruskalWallisResult, type RankGroupSummary } from './stats/ranks.js';
export { mannWhitneyU, kruskalWallis as kruskalWallisOf, type MannWhitneyResult, type KruskalWallisResult, type RankGroup } from './stats/rank-tests.js';
export type { GroupSummary, Provenance } from './stats/frame-groups.js';
export { ols, OLS_REVEALS, type OlsSpec, type OlsModel, type OlsResult, type OlsExplanation } from './stats/ols.js';
export type { OlsFit, Coefficient } from './stats/ols-fit.js';
export { logit, LOGIT_REVEALS, type LogitSpec, type LogitModel, type LogitResult, type LogitExplanation, type LogitFitOptions } from './stats/logit.js';
export { cox, type CoxSpec, type CoxModel, type CoxResult } from './stats/cox.js';
export type { CoxFit, CoxCoefficient } from './stats/cox-fit.js';
export { kaplanMeier, KAPLAN_MEIER_REVEALS, type KaplanMeierSpec, type KaplanMeierModel, type KaplanMeierResult, type KaplanMeierGroup, type KaplanMeierDesign, type KaplanMeierOptions, type KaplanMeierExplanation } from './stats/kaplan-meier.js';
export type { SurvivalCurve, SurvivalStep, TimeCount, ConfidenceType } from './stats/survival-curve.js';
export type { LogRankResult, LogRankGroup } from './stats/log-rank.js';
export { storedLogit, type StoredLogit, type PredictOptions, type ScoreOptions, type LogitScores } from './stats/logit-predict.js';
export { readTable, type TableSource, type ReadTableOptions, type ColumnDeclaration, type InMemoryColumns, type EncodedTable } from './client/read-table.js';

// nodes
export { startNode, nodeStorageSecret, type StartNodeOptions, type NodeHandle, type MeshOption } from './node/server.js';
export { startNodeFromConfig } from './node/main.js';
export { loadNodeConfig, parseNodeConfig, NODE_CONFIG_FORMAT, DEFAULT_TIMEOUTS, type NodeConfig, type NodeTimeouts } from './node/config.js';
export { MemoryMesh } from './node/mesh/memory-mesh.js';
export type { MeshConnector } from './node/mesh/connector.js';
export { TlsMeshConnector } from './node/mesh/tls-connector.js';
export { startEmbeddedCluster, type EmbeddedCluster, type EmbeddedClusterOptions, type PartySpec } from './node/embedded-cluster.js';

// collaborations, identities, certificates
export { Collaboration, ROLES, type Role, type NodeIndex, type CollaborationFile, type PartyConfig, type NodeConfig as CollaborationNode } from './governance/collaboration.js';
export { createIdentity, loadIdentity, saveIdentity, publicIdentity, savePublicIdentity, loadPublicIdentity, type Identity, type PublicIdentity } from './crypto/identity.js';
export { createIdentifierKey, saveIdentifierKey, loadIdentifierKey } from './crypto/identifier-key.js';
export { encodePublicKey } from './crypto/keys.js';
export { certificateFingerprint, normalizeFingerprint } from './crypto/fingerprint.js';

// schemas and the wire contract
export { parseSchema, schemaToJson, makeSchema, type TableSchema, type TableSchemaJson, type ColumnSchema } from './table/schema.js';
export * from './wire/api.js';

// errors
export * from './errors.js';
