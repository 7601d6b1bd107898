package dev.rolemesh.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * The gateway's whole configuration after merging, interpolation and validation. Everything here is already
 * checked, so the request path never re-validates config.
 *
 * @param source the file the configuration was loaded from, for messages
 * @param models alias to model, in the order the file lists them
 */
public record GatewayConfig(
    int version,
    String defaultModel,
    ServerSettings gateway,
    AuthConfig auth,
    Map<String, ModelConfig> models,
    Path source) {}
