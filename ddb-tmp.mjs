import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:');
const c = await inst.connect();
for (const sql of process.argv.slice(2)) {
  const r = await c.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR)", [sql]);
  console.log(JSON.stringify(JSON.parse(r.getRows()[0][0]), null, 1));
}
