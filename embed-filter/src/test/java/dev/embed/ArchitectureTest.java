package dev.embed;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import dev.embed.apikey.ApiKeyStore;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The architecture of embed-filter, checked on its compiled classes (ArchUnit reads the bytecode;
 * test classes are not imported):
 *
 * <ul>
 *   <li>the core (every package but {@code dev.embed.servlet}) uses nothing of {@code jakarta.*}: it
 *       runs under any adapter;
 *   <li>the adapter depends on the core, never the reverse;
 *   <li>no cycle between packages;
 *   <li>the public surface is exactly {@link #PUBLIC_TYPES} (at most 40 public top-level types in
 *       all): of {@code dev.embed.internal}, only {@code Core} and {@code Exchange}, which the
 *       adapters (the servlet package, the JAX-RS module) need;
 *   <li>implementation classes are final, and so are the servlets and filters named in web.xml;
 *   <li>API keys: only {@code Credentials} asks a key store for a key (by its digest), and the
 *       default key store compares digests with {@code MessageDigest.isEqual}, never {@code
 *       Arrays.equals} (the behaviour is tested in {@code ApiKeyLookupTest} and {@code
 *       PropertiesApiKeyStoreTest}).
 * </ul>
 */
class ArchitectureTest {
    /** Every public top-level type of embed-filter. A new one is a decision: add it here. */
    static final Set<String> PUBLIC_TYPES = Set.of(
            "dev.embed.Embed",
            "dev.embed.apikey.ApiKey",
            "dev.embed.apikey.ApiKeyStore",
            "dev.embed.apikey.ApiKeyTool",
            "dev.embed.apikey.ApiKeys",
            "dev.embed.chat.AgentContext",
            "dev.embed.chat.ChatMessage",
            "dev.embed.chat.EmbedAgent",
            "dev.embed.chat.StreamingAgent",
            "dev.embed.config.ConfigException",
            "dev.embed.config.ConfigKey",
            "dev.embed.config.EmbedConfig",
            "dev.embed.error.EmbedError",
            "dev.embed.error.EmbedException",
            "dev.embed.internal.Core",
            "dev.embed.internal.Exchange",
            "dev.embed.servlet.ApiKeyFilter",
            "dev.embed.servlet.ChatServlet",
            "dev.embed.servlet.EmbedListener",
            "dev.embed.servlet.EmbedServlet",
            "dev.embed.servlet.EmbedTokenFilter",
            "dev.embed.servlet.HostedPageServlet",
            "dev.embed.servlet.IframeServlet",
            "dev.embed.servlet.JwksServlet",
            "dev.embed.servlet.MintServlet",
            "dev.embed.servlet.VisitorTokenServlet",
            "dev.embed.store.EmbedSession",
            "dev.embed.store.EmbedStore",
            "dev.embed.store.LinkStore",
            "dev.embed.store.MessageStore",
            "dev.embed.store.RateLimitStore",
            "dev.embed.store.RevocationStore",
            "dev.embed.store.SessionStore",
            "dev.embed.token.EmbedClaims",
            "dev.embed.token.EmbedPrincipal",
            "dev.embed.token.TokenKind");

    private static final String ADAPTER = "dev.embed.servlet..";
    private static final String INTERNAL = "dev.embed.internal";

    private static final JavaClasses LIBRARY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.embed");

    @Test
    void libraryWhenImportedThenItsClassesAreThere() {
        assertTrue(LIBRARY.contain("dev.embed.internal.Dispatcher"), "the main classes were imported");
        assertTrue(LIBRARY.stream().noneMatch(c -> c.getSimpleName().endsWith("Test")), "no test class was imported");
    }

    @Test
    void coreWhenCompiledThenUsesNothingOfJakarta() {
        noClasses()
                .that()
                .resideOutsideOfPackage(ADAPTER)
                .should()
                .dependOnClassesThat()
                .resideInAPackage("jakarta..")
                .because("the core runs under any adapter; only dev.embed.servlet knows the Servlet API")
                .check(LIBRARY);
    }

    @Test
    void coreWhenCompiledThenNeverDependsOnAnAdapter() {
        noClasses()
                .that()
                .resideOutsideOfPackage(ADAPTER)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(ADAPTER, "dev.embed.jaxrs..")
                .because("adapters depend on the core, never the reverse")
                .check(LIBRARY);
    }

    @Test
    void packagesWhenCompiledThenFreeOfCycles() {
        SlicesRuleDefinition.slices()
                .assignedFrom(new SliceAssignment() {
                    @Override
                    public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                        return SliceIdentifier.of(javaClass.getPackageName());
                    }

                    @Override
                    public String getDescription() {
                        return "packages of dev.embed";
                    }
                })
                .should()
                .beFreeOfCycles()
                .check(LIBRARY);
    }

    @Test
    void publicTypesWhenCountedThenExactlyTheAllowListAndAtMostForty() {
        Set<String> found = LIBRARY.stream()
                .filter(ArchitectureTest::isTopLevel)
                .filter(c -> c.getModifiers().contains(JavaModifier.PUBLIC))
                .map(JavaClass::getName)
                .collect(Collectors.toCollection(TreeSet::new));

        assertEquals(new TreeSet<>(PUBLIC_TYPES), found, "public top-level types of embed-filter");
        assertTrue(found.size() <= 40, "at most 40 public top-level types: " + found.size());
    }

    @Test
    void internalPackageWhenCompiledThenOnlyCoreAndExchangeArePublic() {
        classes()
                .that()
                .resideInAPackage(INTERNAL)
                .and(topLevel())
                .and()
                .doNotHaveFullyQualifiedName("dev.embed.internal.Core")
                .and()
                .doNotHaveFullyQualifiedName("dev.embed.internal.Exchange")
                .should()
                .notBePublic()
                .check(LIBRARY);
    }

    @Test
    void implementationClassesWhenCompiledThenFinal() {
        classes()
                .that()
                .resideInAPackage(INTERNAL)
                .and(topLevel())
                .and()
                .areNotInterfaces()
                .and()
                .areNotEnums()
                .and()
                .areNotRecords()
                .should()
                .haveModifier(JavaModifier.FINAL)
                .check(LIBRARY);
        classes()
                .that()
                .resideInAPackage(ADAPTER)
                .and()
                .arePublic()
                .should()
                .haveModifier(JavaModifier.FINAL)
                .because("the servlets, filters and listener named in web.xml are not extension points")
                .check(LIBRARY);
    }

    @Test
    void keyStoreWhenAskedForAKeyThenOnlyByCredentialsAndByDigest() {
        noClasses()
                .that()
                .doNotHaveFullyQualifiedName("dev.embed.internal.Credentials")
                .should()
                .callMethodWhere(new DescribedPredicate<JavaMethodCall>("ApiKeyStore.findBySha256") {
                    @Override
                    public boolean test(JavaMethodCall call) {
                        return call.getName().equals("findBySha256")
                                && call.getTargetOwner().isAssignableTo(ApiKeyStore.class);
                    }
                })
                .because("one path asks a key store for a key, and it hands it the key's digest")
                .check(LIBRARY);
        classes()
                .that()
                .haveFullyQualifiedName("dev.embed.internal.Credentials")
                .should()
                .callMethod(dev.embed.apikey.ApiKeys.class, "sha256", String.class)
                .check(LIBRARY);
    }

    @Test
    void defaultKeyStoreWhenComparingDigestsThenMessageDigestIsEqualNeverArraysEquals() {
        classes()
                .that()
                .haveFullyQualifiedName("dev.embed.internal.PropertiesApiKeyStore")
                .should()
                .callMethod(MessageDigest.class, "isEqual", byte[].class, byte[].class)
                .check(LIBRARY);
        noClasses()
                .that()
                .haveNameMatching("dev\\.embed\\.internal\\.PropertiesApiKeyStore(\\$.*)?")
                .should()
                .callMethod(Arrays.class, "equals", byte[].class, byte[].class)
                .orShould()
                .callMethod(Arrays.class, "mismatch", byte[].class, byte[].class)
                .orShould()
                .callMethod(Arrays.class, "compare", byte[].class, byte[].class)
                .because("a comparison that stops at the first differing byte says how much of a key matched")
                .check(LIBRARY);
    }

    private static boolean isTopLevel(JavaClass type) {
        return type.isTopLevelClass();
    }

    private static DescribedPredicate<JavaClass> topLevel() {
        return DescribedPredicate.describe("top-level", ArchitectureTest::isTopLevel);
    }
}
