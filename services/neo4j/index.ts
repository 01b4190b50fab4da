// Neo4j (`ape:data`): its official chart or an external server, and what its consumers read
// (endpoint, contract, flows).
export { neo4jSettings } from "./neo4j.build";
export { NEO4J, neo4jPodLabels, neo4jTlsServices } from "./neo4j.contract";
export { Neo4jPlacement, neo4jPlacement } from "./neo4j.decisions";
export { Neo4jEndpoint, ResolvedNeo4j, resolveNeo4j } from "./neo4j.endpoint";
export { neo4jClientRule, neo4jFlows, neo4jMetricsTarget } from "./neo4j.flows";
export { neo4jSchema } from "./neo4j.settings";
export { Neo4j, externalNeo4jEndpoint } from "./neo4j";
