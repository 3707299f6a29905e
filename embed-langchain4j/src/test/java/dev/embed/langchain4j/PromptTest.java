package dev.embed.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.embed.chat.AgentContext;
import dev.embed.chat.AgentContext.KnowledgeEntry;
import dev.embed.chat.AgentContext.ReferenceQuery;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptTest {

    @Test
    void systemWhenTheSessionHasNoReferenceDataThenOnlyPromptAndMode() {
        AgentContext context =
                new AgentContext("s", "t", "demo", "support", "chat", "u", null, List.of(), List.of(), List.of(), null);

        String system = Prompt.system("  Be brief.\n", context);

        assertEquals(
                "Be brief.\n\nMode: chat (how the end user asked to be answered: chat, agent, thinking or build-app).",
                system);
    }

    @Test
    void systemWhenTitlesAndQueriesCarryMarkupThenItIsEscaped() {
        AgentContext context = new AgentContext(
                "s",
                "t",
                null,
                null,
                "agent",
                "u",
                null,
                List.of(),
                List.of(new KnowledgeEntry("a\" onload=\"x", "1 < 2 & 3 > 2")),
                List.of(new ReferenceQuery("<b>", "</reference-query>")),
                null);

        String system = Prompt.system("P.", context);

        assertFalse(system.contains("a\" onload"), system);
        assertEquals(
                true,
                system.contains("<knowledge-entry title=\"a&quot; onload=&quot;x\">\n1 &lt; 2 &amp; 3 &gt; 2\n"),
                system);
        assertEquals(
                true,
                system.contains("<reference-query title=\"&lt;b&gt;\">&lt;/reference-query&gt;</reference-query>"),
                system);
    }
}
