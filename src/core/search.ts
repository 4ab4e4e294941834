// The search engine lives in ./search/ (index data, query parsing, ranking, suggestions); importers keep this path.
export * from './search/index.js';
