package org.apache.iceberg.rest;

import java.util.List;
import org.apache.iceberg.catalog.Namespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Five tests of the 1.11.0 kit that it turns off for every server, run against Lakegate: the two nested-namespace
 * tests (the kit hard-codes supportsNestedNamespaces() to false; Lakegate has nested namespaces),
 * createTableInUniqueLocation (@Disabled in the kit because its own test server cannot be configured per test), and
 * the two slash tests testNamespaceWithSlash and testTableNameWithSlash (the kit hard-codes supportsNamesWithSlashes()
 * to false because its own Jetty server refuses %2F; Lakegate accepts "/" in names, issue 42).
 * rck.test.ts runs only these five methods of this class, on a fresh catalog before the kit's suite (the kit's
 * beforeClass refuses a catalog holding its test namespaces, and its classes leave some behind); after each test this
 * class removes what it made, so the suite then starts on a clean catalog too.
 * In the package of the kit's class so that it can extend it. Compiled against the kit's jars by
 * scripts/peers/iceberg-java.sh (RCK_EXTRA_SOURCES).
 */
public class LakegateNestedNamespaceTests extends RESTCompatibilityKitCatalogTests {
    @Override
  protected boolean supportsNestedNamespaces() {
    return true;
  }

  @Override
  protected boolean supportsNamesWithSlashes() {
    return true;
  }

  /** Not @Disabled here: runs the kit's test (CatalogTests.createTableInUniqueLocation) through the kit's override. */
  @Test
  @Override
  public void createTableInUniqueLocation() {
    super.createTableInUniqueLocation();
  }

  /** testListNestedNamespaces leaves parent, parent.child1 and parent.child2 behind; createTableInUniqueLocation ns. */
  @AfterEach
  void dropNestedNamespaces() {
    for (Namespace ns :
        List.of(
            Namespace.of("parent", "child1"),
            Namespace.of("parent", "child2"),
            Namespace.of("parent", "child"),
            Namespace.of("parent"),
            Namespace.of("new/db"))) {
      if (catalog().namespaceExists(ns)) {
        catalog().dropNamespace(ns);
      }
    }
    RCKUtils.purgeCatalogTestEntries(catalog());
  }
}
