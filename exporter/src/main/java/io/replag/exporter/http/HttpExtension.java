package io.replag.exporter.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * Routes beyond replag's own, mounted behind the same auth: the lab control API of the demo
 * (replag-tools). The production exporter mounts none, so it serves nothing it does not document.
 */
@FunctionalInterface
public interface HttpExtension {
    void mount(Vertx vertx, Router router);
}
