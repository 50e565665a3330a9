package agentmsg.internal.security;

import agentmsg.AgentMsgException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keys and certificates for TLS, from PEM files or a PKCS#12 keystore, into in-memory keystores:
 * the JDK reads all of it, so TLS needs no extra library. Every failure is an {@link
 * AgentMsgException} with code {@code bad-tls} that names the file and says what to do. Stateless.
 */
public final class Pem {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");
  private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"};

  /** The alias of the key in keystores made here. */
  public static final String KEY_ALIAS = "agent-msg";

  private Pem() {}

  /**
   * A keystore holding the private key of {@code keyPem} (unencrypted PKCS#8, {@code BEGIN PRIVATE
   * KEY}) with the certificate chain of {@code certPem} (server certificate first), protected by
   * {@code password}. Checks that the key belongs to the certificate.
   */
  public static KeyStore keyStore(Path certPem, Path keyPem, char[] password) {
    List<X509Certificate> chain = certificates(certPem);
    PrivateKey key = privateKey(keyPem);
    requireMatch(key, chain.get(0), certPem, keyPem);
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(KEY_ALIAS, key, password, chain.toArray(new Certificate[0]));
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw bad("cannot build a keystore from " + keyPem + " and " + certPem + ": " + e);
    }
  }

  /** A PKCS#12 keystore from a file, checked to hold a private key. */
  public static KeyStore pkcs12(Path file, char[] password) {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      boolean hasKey = false;
      for (String alias : java.util.Collections.list(store.aliases())) {
        hasKey |= store.isKeyEntry(alias);
      }
      if (!hasKey) {
        throw bad("keystore " + file + " holds no private key (it needs the server's key entry)");
      }
      return store;
    } catch (IOException e) {
      throw bad(
          "cannot read keystore "
              + file
              + ": "
              + e.getMessage()
              + " (a PKCS#12 file; is the password right?)");
    } catch (GeneralSecurityException e) {
      throw bad("cannot read keystore " + file + ": " + e);
    }
  }

  /** A trust store holding every certificate in {@code caPem}: the ones a client trusts. */
  public static KeyStore trustStore(Path caPem) {
    List<X509Certificate> certificates = certificates(caPem);
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < certificates.size(); i++) {
        store.setCertificateEntry("ca-" + i, certificates.get(i));
      }
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw bad("cannot build a trust store from " + caPem + ": " + e);
    }
  }

  /** The X.509 certificates in a PEM file, in order; at least one. */
  public static List<X509Certificate> certificates(Path pem) {
    String text = read(pem);
    List<X509Certificate> certificates = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      Matcher block = BLOCK.matcher(text);
      while (block.find()) {
        if (block.group(1).equals("CERTIFICATE")) {
          certificates.add(
              (X509Certificate)
                  factory.generateCertificate(new ByteArrayInputStream(decode(block, pem))));
        }
      }
    } catch (GeneralSecurityException e) {
      throw bad("cannot read the certificate in " + pem + ": " + e.getMessage());
    }
    if (certificates.isEmpty()) {
      throw bad("no certificate (BEGIN CERTIFICATE) in " + pem);
    }
    return certificates;
  }

  /** The private key in a PEM file: unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}). */
  public static PrivateKey privateKey(Path pem) {
    Matcher block = BLOCK.matcher(read(pem));
    while (block.find()) {
      String type = block.group(1);
      if (type.equals("PRIVATE KEY")) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(decode(block, pem));
        for (String algorithm : KEY_ALGORITHMS) {
          try {
            return KeyFactory.getInstance(algorithm).generatePrivate(spec);
          } catch (GeneralSecurityException tryNext) {
            // Not this algorithm; PKCS#8 names it inside, but the JDK wants it up front.
          }
        }
        throw bad("the private key in " + pem + " is of a kind this JDK cannot read");
      }
      if (type.equals("ENCRYPTED PRIVATE KEY")) {
        throw bad(
            "the private key in "
                + pem
                + " is encrypted; give an unencrypted one (openssl pkcs8 -topk8 -nocrypt"
                + " -in key.pem -out key-plain.pem) or use --tls-keystore with a password file");
      }
      if (type.endsWith("PRIVATE KEY")) {
        throw bad(
            "the private key in "
                + pem
                + " is in the old "
                + type
                + " format; convert it to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in "
                + pem.getFileName()
                + " -out key-pkcs8.pem");
      }
    }
    throw bad("no private key (BEGIN PRIVATE KEY) in " + pem);
  }

  private static void requireMatch(
      PrivateKey key, X509Certificate certificate, Path certPem, Path keyPem) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "RSASSA-PSS" -> null;
          default -> key.getAlgorithm(); // Ed25519, Ed448
        };
    if (algorithm == null) {
      return;
    }
    try {
      byte[] probe = "agent-msg key check".getBytes(StandardCharsets.UTF_8);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      if (!verifier.verify(signature)) {
        throw new GeneralSecurityException("signature does not verify");
      }
    } catch (GeneralSecurityException e) {
      throw bad(
          "the private key in "
              + keyPem
              + " does not belong to the first certificate in "
              + certPem
              + " (put the server's own certificate first)");
    }
  }

  private static byte[] decode(Matcher block, Path pem) {
    try {
      return Base64.getMimeDecoder().decode(block.group(2).strip());
    } catch (IllegalArgumentException e) {
      throw bad("broken base64 in the " + block.group(1) + " block of " + pem);
    }
  }

  private static String read(Path pem) {
    try {
      return Files.readString(pem, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw bad("cannot read " + pem + ": " + e);
    }
  }

  private static AgentMsgException bad(String message) {
    return new AgentMsgException("bad-tls", message);
  }
}
