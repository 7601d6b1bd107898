package dev.rolemesh.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The direction of dependencies between packages. {@code http} holds what every HTTP-speaking package shares (errors,
 * JSON answers, the body peek, backend addresses, node ids) and depends on none of them; {@code api} assembles the
 * gateway and nothing but the CLI depends on it; the node agent shares only {@code http}, {@code proxy}, the key check
 * of {@code auth} and the plumbing with the gateway, never its routing or registry.
 */
class PackageDependenciesTest {

  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.rolemesh");

  @Test
  void packagesHaveNoCycles() {
    slices().matching("dev.rolemesh.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void onlyTheCliAssemblesTheGateway() {
    noClasses().that().resideOutsideOfPackages("dev.rolemesh.api..", "dev.rolemesh.cli..")
        .should().dependOnClassesThat().resideInAPackage("dev.rolemesh.api..")
        .check(MAIN);
  }

  @Test
  void sharedHttpPiecesDependOnNoFeature() {
    noClasses().that().resideInAPackage("dev.rolemesh.http..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.rolemesh.api..", "dev.rolemesh.auth..",
            "dev.rolemesh.registry..", "dev.rolemesh.routing..", "dev.rolemesh.proxy..", "dev.rolemesh.nodeagent..",
            "dev.rolemesh.availability..", "dev.rolemesh.cli..", "dev.rolemesh.sim..", "dev.rolemesh.bench..")
        .check(MAIN);
  }

  @Test
  void theNodeAgentSharesNoGatewayInternals() {
    noClasses().that().resideInAPackage("dev.rolemesh.nodeagent..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.rolemesh.api..", "dev.rolemesh.registry..",
            "dev.rolemesh.routing..", "dev.rolemesh.availability..")
        .check(MAIN);
  }

  @Test
  void authAndTheRegistryKnowNothingOfEachOther() {
    noClasses().that().resideInAPackage("dev.rolemesh.auth..")
        .should().dependOnClassesThat().resideInAPackage("dev.rolemesh.registry..")
        .check(MAIN);
    noClasses().that().resideInAPackage("dev.rolemesh.registry..")
        .should().dependOnClassesThat().resideInAPackage("dev.rolemesh.auth..")
        .check(MAIN);
  }
}
