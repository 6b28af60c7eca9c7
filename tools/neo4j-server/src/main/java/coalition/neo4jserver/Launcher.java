package coalition.neo4jserver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * Why this exists: Coalition Mapper's tests and users need a real Neo4j 5 server, but
 * Docker does not run on our machines and only Maven Central is reachable, so there is
 * no Neo4j tarball to unpack. The Community DBMS is on Maven Central as a library
 * (org.neo4j:neo4j, which includes Bolt), so this class starts it embedded and opens
 * Bolt on 127.0.0.1 only. No HTTP connector (the embedded DBMS has none).
 *
 * Usage (start.sh does this): java -Xmx1g -jar target/coalition-neo4j-server.jar HOME_DIR [PORT]
 * Env: NEO4J_BOLT_PORT (default 7687, the argument wins), NEO4J_PASSWORD (default
 * "coalition-test", user "neo4j"), NEO4J_AUTH=none to switch auth off.
 * Prints "READY bolt://127.0.0.1:PORT" once clients can log in; stops on SIGTERM.
 */
public final class Launcher {
    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1); // Neo4j's threads would keep the JVM alive otherwise
        }
    }

    private static void run(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: Launcher HOME_DIR [PORT]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        String port = args.length > 1 ? args[1] : env("NEO4J_BOLT_PORT", "7687");
        boolean auth = !"none".equalsIgnoreCase(env("NEO4J_AUTH", ""));
        String password = env("NEO4J_PASSWORD", "coalition-test");

        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("server.bolt.enabled", "true");
        conf.put("server.bolt.listen_address", "127.0.0.1:" + port);
        conf.put("server.bolt.advertised_address", "127.0.0.1:" + port); // routing table for neo4j://
        conf.put("server.default_listen_address", "127.0.0.1");
        conf.put("server.default_advertised_address", "127.0.0.1");
        conf.put("server.bolt.tls_level", "DISABLED");
        conf.put("dbms.security.auth_enabled", Boolean.toString(auth));
        conf.put("dbms.usage_report.enabled", "false");
        conf.put("server.memory.pagecache.size", "256m");
        conf.put("db.tx_log.rotation.retention_policy", "2 files");
        // Bolt otherwise waits 2 x 5 s for idle threads at shutdown.
        conf.put("internal.server.bolt.thread_pool_shutdown_wait_time", "1s");
        conf.put("internal.server.bolt.connection_shutdown_wait_time", "1s");

        StringBuilder text = new StringBuilder("# written by Launcher at each start\n");
        conf.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Path confFile = Files.createDirectories(home).resolve("neo4j.conf");
        Files.writeString(confFile, text);

        DatabaseManagementService dbms =
                new DatabaseManagementServiceBuilder(home).loadPropertiesFromFile(confFile).build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }));
        if (auth) {
            // A new DBMS has user neo4j/neo4j with a forced change; set the real password.
            // Embedded transactions run with full rights, so this needs no login.
            try {
                dbms.database("system").executeTransactionally(
                        "ALTER USER neo4j SET PLAINTEXT PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
            } catch (RuntimeException e) { // e.g. "A password must be at least 8 characters."
                throw new IllegalArgumentException("cannot set the password from NEO4J_PASSWORD: " + e.getMessage(), e);
            }
        }
        System.out.println("READY bolt://127.0.0.1:" + port + (auth ? " (auth: neo4j)" : " (auth disabled)"));
        System.out.flush();
        stopped.await();
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? dflt : v;
    }
}
