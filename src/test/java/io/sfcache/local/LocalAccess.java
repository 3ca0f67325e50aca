package io.sfcache.local;

import io.sfcache.standin.identity.LocalClient;
import io.sfcache.standin.identity.LocalUser;
import io.sfcache.standin.identity.TokenIssuerStandin;
import java.time.Duration;
import java.util.List;

/**
 * The part of the local run's banner that gets a newcomer from "it started" to a first answer: GraphiQL, tokens for
 * the reader and ops roles, curl commands to paste, how to fetch fresh tokens from the identity provider stand-in, and
 * who may sign in there.
 */
final class LocalAccess {

    /** Long enough for a working day without fetching a new one. */
    static final Duration TOKEN_TTL = Duration.ofHours(12);

    private LocalAccess() {}

    /** @param management where the actuator answers (its own port, or base) */
    static String describe(String base, String management, TokenIssuerStandin issuer) {
        LocalClient reader = issuer.client(TokenIssuerStandin.READER_CLIENT);
        LocalClient ops = issuer.client(TokenIssuerStandin.OPS_CLIENT);
        String readerToken = issuer.mint(reader.id(), reader.roles(), TOKEN_TTL);
        String opsToken = issuer.mint(ops.id(), ops.roles(), TOKEN_TTL);
        LocalUser readerPerson = issuer.user(TokenIssuerStandin.READER);
        return String.join(
                "\n",
                List.of(
                        "   GraphiQL    " + base + "/graphiql   (paste the reader token into its token bar)",
                        "",
                        " Identity provider " + issuer.issuer() + " (Spring Authorization Server): people "
                                + TokenIssuerStandin.OPERATOR + " (" + TokenIssuerStandin.OPS_ROLE + ") and "
                                + readerPerson.name() + " / " + readerPerson.password() + " ("
                                + TokenIssuerStandin.READER_ROLE
                                + ": Hawtio refuses them)",
                        " Tokens from it, valid " + TOKEN_TTL.toHours() + " h:",
                        "   export SFCACHE_READER_TOKEN=" + readerToken,
                        "   export SFCACHE_OPS_TOKEN=" + opsToken,
                        " Then:",
                        "   curl -s " + base + "/graphql -H \"Authorization: Bearer $SFCACHE_READER_TOKEN\""
                                + " -H 'Content-Type: application/json' -d '{\"query\":\"{ __typename }\"}'",
                        "   curl -s " + management + "/actuator/health -H \"Authorization: Bearer $SFCACHE_OPS_TOKEN\"",
                        " Fresh tokens (client credentials, " + TokenIssuerStandin.CLIENT_TOKEN_TTL.toHours()
                                + " h; the secrets change every run):",
                        "   " + tokenCommand(issuer, reader),
                        "   " + tokenCommand(issuer, ops)));
    }

    private static String tokenCommand(TokenIssuerStandin issuer, LocalClient client) {
        return "curl -s -u " + client.id() + ":" + client.secret() + " -d grant_type=client_credentials "
                + issuer.tokenEndpoint();
    }
}
