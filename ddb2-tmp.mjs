import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:');
const c = await inst.connect();
for (const sql of process.argv.slice(2)) {
  try {
  const r = await c.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR)", [sql]);
  const j = JSON.parse(r.getRows()[0][0]);
  const n = j.statements?.[0]?.node;
  console.log('==', sql, '\n', JSON.stringify(j.error ? j : {type:n.type, modifiers:n.modifiers, cte: n.cte_map, sel: n.select_list?.map(s=>({c:s.class,t:s.type,f:s.function_name,d:s.distinct,filter:s.filter,ob:s.order_bys?.orders?.length,ch:s.children?.map(x=>x.class+':'+x.type), cn: s.column_names, export_state: s.export_state, keys: Object.keys(s)})), from: n.from_table?.type, where: n.where_clause?.class, g: n.group_expressions?.length, gs: n.group_sets?.length, having: n.having, agg: n.aggregate_handling, sample: n.sample, qualify: n.qualify, nstmts: j.statements.length}));
  } catch (e) { console.log('==', sql, 'THROW', e.message); }
}
