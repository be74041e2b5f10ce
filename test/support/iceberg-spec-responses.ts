/**
 * The responses each operation declares in the Iceberg REST OpenAPI document at apache-iceberg-1.11.0
 * (open-api/rest-catalog-open-api.yaml), by operationId: what a conformance test checks an answer's status
 * against. Generated from that file (every `responses` key of every operation); '5XX' stands for any 5xx.
 * unregisterTable is not in 1.11.0 (apache/iceberg#16400 came after), so it has no row.
 */
export const ICEBERG_1_11_RESPONSES: Record<string, readonly string[]> = {
  getConfig: ['200', '400', '401', '403', '404', '419', '503', '5XX'],
  getToken: ['200', '400', '401', '5XX'],
  listNamespaces: ['200', '400', '401', '403', '404', '419', '503', '5XX'],
  createNamespace: ['200', '400', '401', '403', '406', '409', '419', '503', '5XX'],
  loadNamespaceMetadata: ['200', '400', '401', '403', '404', '419', '503', '5XX'],
  namespaceExists: ['204', '400', '401', '403', '404', '419', '503', '5XX'],
  dropNamespace: ['204', '400', '401', '403', '404', '409', '419', '503', '5XX'],
  updateProperties: ['200', '400', '401', '403', '404', '406', '419', '422', '503', '5XX'],
  listTables: ['200', '400', '401', '403', '404', '419', '503', '5XX'],
  createTable: ['200', '400', '401', '403', '404', '409', '419', '503', '5XX'],
  planTableScan: ['200', '400', '401', '403', '404', '406', '419', '503', '5XX'],
  fetchPlanningResult: ['200', '400', '401', '403', '404', '419', '503', '5XX'],
  cancelPlanning: ['204', '400', '401', '403', '404', '419', '503', '5XX'],
  fetchScanTasks: ['200', '400', '401', '403', '404', '419', '503', '5XX'],
  registerTable: ['200', '400', '401', '403', '404', '409', '419', '503', '5XX'],
  loadTable: ['200', '304', '400', '401', '403', '404', '419', '503', '5XX'],
  updateTable: ['200', '400', '401', '403', '404', '409', '419', '500', '502', '503', '504', '5XX'],
  dropTable: ['204', '400', '401', '403', '404', '419', '503', '5XX'],
  tableExists: ['204', '400', '401', '403', '404', '419', '503', '5XX'],
  loadCredentials: ['200', '400', '401', '403', '404', '419', '503', '5XX'],
  signRequest: ['200', '400', '401', '403', '419', '503', '5XX'],
  renameTable: ['204', '400', '401', '403', '404', '406', '409', '419', '503', '5XX'],
  reportMetrics: ['204', '400', '401', '403', '404', '419', '503', '5XX'],
  commitTransaction: ['204', '400', '401', '403', '404', '409', '419', '500', '502', '503', '504', '5XX'],
  listViews: ['200', '400', '401', '403', '404', '419', '503', '5XX'],
  createView: ['200', '400', '401', '403', '404', '409', '419', '503', '5XX'],
  loadView: ['200', '400', '401', '403', '404', '419', '503', '5XX'],
  replaceView: ['200', '400', '401', '403', '404', '409', '419', '500', '502', '503', '504', '5XX'],
  dropView: ['204', '400', '401', '403', '404', '419', '503', '5XX'],
  viewExists: ['204', '400', '401', '404', '419', '503', '5XX'],
  renameView: ['204', '400', '401', '403', '404', '406', '409', '419', '503', '5XX'],
  registerView: ['200', '400', '401', '403', '404', '409', '419', '503', '5XX'],
};

/** Whether the 1.11.0 document declares `status` for the operation. */
export function declared(operationId: string, status: number): boolean {
  const responses = ICEBERG_1_11_RESPONSES[operationId];
  if (responses === undefined) throw new TypeError(`no operation ${operationId} in the 1.11.0 document`);
  return responses.includes(String(status)) || (status >= 500 && responses.includes('5XX'));
}
