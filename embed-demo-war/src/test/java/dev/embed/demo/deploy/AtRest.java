package dev.embed.demo.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embed.testing.Secrets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * DESIGN §8, "no credential at rest", checked on a database the demo wrote after real flows over
 * HTTP: every text column of every table of the store is read whole and searched for every API
 * key, embed token, cache key and raw fingerprint the tests sent or received ({@link Secrets},
 * fed by {@code dev.embed.testing.Http}), and for anything shaped like a JWT or an API key.
 */
final class AtRest {
    private static final Set<Integer> TEXT = Set.of(
            Types.CHAR,
            Types.VARCHAR,
            Types.LONGVARCHAR,
            Types.CLOB,
            Types.NCHAR,
            Types.NVARCHAR,
            Types.LONGNVARCHAR,
            Types.NCLOB,
            Types.OTHER);

    private AtRest() {}

    /** What was scanned: values read per table.column. */
    record Scan(Map<String, Integer> values, List<String> findings, String allText) {}

    /**
     * Scans the tables whose name starts with {@code prefix}; fails naming the table and column of
     * any credential found (never the credential). The scan must have read {@code mustContain}.
     */
    static Scan assertNoCredentialAtRest(Connection connection, String prefix, String mustContain) throws SQLException {
        Map<String, List<String>> columns = new LinkedHashMap<>();
        DatabaseMetaData meta = connection.getMetaData();
        try (ResultSet rs = meta.getColumns(null, null, "%", "%")) {
            while (rs.next()) {
                String table = rs.getString("TABLE_NAME");
                String schema = rs.getString("TABLE_SCHEM");
                if (table.toLowerCase(Locale.ROOT).startsWith(prefix)
                        && !"INFORMATION_SCHEMA".equalsIgnoreCase(schema)
                        && TEXT.contains(rs.getInt("DATA_TYPE"))) {
                    columns.computeIfAbsent(table, t -> new ArrayList<>()).add(rs.getString("COLUMN_NAME"));
                }
            }
        }
        assertTrue(columns.size() >= 5, "the store's tables were not found: " + columns.keySet());
        Map<String, Integer> values = new LinkedHashMap<>();
        List<String> findings = new ArrayList<>();
        StringBuilder all = new StringBuilder();
        for (Map.Entry<String, List<String>> table : columns.entrySet()) {
            for (String column : table.getValue()) {
                String where = table.getKey() + "." + column;
                int count = 0;
                try (Statement statement = connection.createStatement();
                        ResultSet rs = statement.executeQuery(
                                "SELECT CAST(" + quote(column) + " AS VARCHAR) FROM " + quote(table.getKey()))) {
                    while (rs.next()) {
                        String value = rs.getString(1);
                        if (value != null) {
                            count++;
                            all.append(value).append('\n');
                            for (String finding : Secrets.find(value)) {
                                findings.add(where + ": " + finding);
                            }
                        }
                    }
                }
                values.put(where, count);
            }
        }
        assertEquals(List.of(), findings, "credentials at rest (DESIGN §8)");
        assertTrue(
                all.indexOf(mustContain) >= 0,
                "the scan did not read what the flows wrote (" + mustContain + "): " + values);
        return new Scan(values, findings, all.toString());
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
