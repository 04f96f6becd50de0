/** Prints the bcrypt hash (cost 10, $2y$) of its argument, as htpasswd -nBC 10 does; for scripts/abuse. */
public class BcryptHash {
    public static void main(String[] args) {
        System.out.println(at.favre.lib.crypto.bcrypt.BCrypt.with(at.favre.lib.crypto.bcrypt.BCrypt.Version.VERSION_2Y)
                .hashToString(10, args[0].toCharArray()));
    }
}
