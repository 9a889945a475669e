/**
 * Generated from spec/ by `npm run generate` (openapi-typescript). Do not edit by hand.
 */

export interface paths {
    "/v1/users/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Log in and get a bearer token
         * @description Authenticates with HTTP Basic (`Authorization: Basic base64(username:password)`) and returns a bearer token
         *     valid for 7 days, with its expiry in `expires_after`. The body is optional and may be empty, even with
         *     `Content-Type: application/json`.
         *
         *     The built-in `admin` account starts with the password `secret`; while it still has it, the login must carry
         *     `{"new_password": "..."}` and is refused without it (400, 1008). `new_password` changes the password of the
         *     user logging in; it must be 8 to 64 characters with at least one upper-case letter, one lower-case letter, one
         *     digit and one special character (400, 1009 otherwise). A password change revokes every other token of that user
         *     (other sessions must log in again with the new password); the login that changes it returns a fresh token.
         *
         *     Repeated failed logins are throttled, per client address and per user name: once the wrong user names or
         *     passwords seen in a sliding window reach a limit, the login answers 429 (1015) with `Retry-After` (in seconds),
         *     without checking the password, even a right one, until enough failures have left the window. The per-address
         *     limit refuses everything from that address. The per-user limit refuses logins as that user only from addresses
         *     that failed a login in the window: an address without failures is still heard (once: if it fails too, it waits
         *     like the others), so guessing an account's password from many addresses cannot keep its owner out from another
         *     address, while each further address earns at most one guess per window. Passwords are checked one at a time, and
         *     each attempt is judged again when its turn comes, on the failures of the attempts checked before it, so a burst of
         *     concurrent wrong logins is held to the limits too, while right logins sent together all pass. The reference
         *     server's defaults are 30 failures per client address and 100 per user name in 15 minutes
         *     (`WA_LOGIN_MAX_FAILURES_PER_ADDRESS`, `WA_LOGIN_MAX_FAILURES_PER_USER`, `WA_LOGIN_FAILURE_WINDOW_SECONDS`),
         *     shared by all its instances when they share a database; an IPv6 client is counted by its /64 network. Passwords
         *     are hashed one at a time, so that a flood of logins cannot starve uploads and downloads of the server's file I/O.
         */
        post: operations["loginUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Log out (revoke the token)
         * @description Revokes the bearer token the request is sent with. Other tokens of the same user stay valid.
         */
        post: operations["logoutUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a user (admin)
         * @description Creates a user with a password that follows the password rule (8 to 64 characters with upper-case, lower-case, digit and special character). Admin only. `role` defaults to `ROLE_USER`.
         */
        post: operations["createUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{username}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description User name of the user. */
                username: components["parameters"]["UsernamePath"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete a user (admin)
         * @description Deletes a user and revokes its tokens. Admin only. The built-in `admin` account cannot be deleted (400, 1009).
         */
        delete: operations["deleteUser"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/media": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload media
         * @description Uploads one media file to the media node. The body is the raw bytes of the file (for example
         *     `curl --data-binary @file`), and `Content-Type` is the MIME type of the media. The reply carries the media `id`
         *     used to download the media or to send it in a message.
         *
         *     | media | supported content types | size limit |
         *     |---|---|---|
         *     | audio | `audio/aac`, `audio/mp4`, `audio/amr`, `audio/mpeg`, `audio/ogg; codecs=opus` (mono only: WhatsApp clients only play single-channel Opus) | 16 MB |
         *     | document | any other valid MIME type, whatever its top-level type: `application/pdf`, `text/plain`, `image/gif`, `audio/wav`, `video/quicktime`, `font/woff2`, `model/gltf-binary`, ... (the `application/octet-stream` entry below stands for them all) | 100 MB |
         *     | image | `image/jpeg`, `image/png` (images with a transparent background are not supported) | 5 MB |
         *     | sticker | `image/webp` (animated stickers cannot be sent) | 100 KB |
         *     | video | `video/mp4`, `video/3gpp` (H.264 video and AAC audio only, with zero or one audio stream) | 16 MB |
         *
         *     A media node accepts at most 100 MB in one upload (configurable on the reference server); the per-type limits
         *     above apply to the stored bytes (Meta states them after compression and encryption). Meta's FAQ also gives
         *     64 MB as the largest file that can be sent in a message.
         *
         *     A type that is not one of the audio, image, sticker or video types listed above is a document, whatever its
         *     top-level type: `image/gif`, `audio/wav` or `video/quicktime` are documents, limited to 100 MB. `Content-Type` must
         *     be the type of one body: a type or subtype `*` (`text/*`, `*\/*`) is a range, not a valid MIME type, and answers
         *     415 (1009); so does a value that is not a MIME type at all. `application/octet-stream` is a valid document type.
         *
         *     The declared type of an audio, image, sticker or video upload must match the content: the server checks the
         *     file's magic bytes, and declared `image/png` with JPEG bytes (or any other mismatch) answers 415 with 1009. A
         *     document is never refused for its bytes: a GIF declared `image/gif`, or a PDF that happens to start like an
         *     image, is stored as sent. Stereo `audio/ogg; codecs=opus` and animated `image/webp` stickers are refused with
         *     415 (1009), as WhatsApp cannot send them. A body over its limit answers
         *     413 as soon as the limit is passed. When the media volume is not writable or is full, the upload answers 503
         *     (1011) and nothing is stored. Uploaded media stays until it is deleted.
         *
         *     The per-type limits are also given, in bytes, in each media type's `x-max-bytes`. The document entry is written
         *     as one concrete type, `application/octet-stream`, and stands for every type the table does not list (its
         *     `x-media-range` is `*\/*`): several client generators take a request body listed as `*\/*` for JSON.
         *
         *     **Generated clients:** pass the file's MIME type as the `Content-Type` header of each call (for example
         *     `headers: {"Content-Type": "image/png"}`) and the file as a `Blob`. The media types above are alternatives; a
         *     generator that fills in a default `Content-Type` takes the first one listed, which the server then checks against
         *     the bytes (415 when they differ).
         */
        post: operations["uploadMedia"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/media/{media_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Id of the media file, as returned by `POST /v1/media` (a UUID). Any other value is answered as not found. */
                media_id: components["parameters"]["MediaIdPath"];
            };
            cookie?: never;
        };
        /**
         * Download media
         * @description Returns the raw bytes of an uploaded media file with its stored `Content-Type` and its `Content-Length`, with
         *     `Content-Disposition: attachment` and `X-Content-Type-Options: nosniff`, so that a browser saves the file instead
         *     of rendering it. An unknown id answers **404 with no body** (not the error envelope).
         *
         *     **Generated clients:** read the reply as binary whatever its type (with @hey-api/openapi-ts, `parseAs: "blob"`),
         *     as some clients decode `text/*` replies as text.
         */
        get: operations["downloadMedia"];
        put?: never;
        post?: never;
        /**
         * Delete media
         * @description Deletes an uploaded media file from the media volume. When to delete media is your decision. Media sent in a
         *     message stays 14 days on WhatsApp's servers; a recipient who asks for it after that makes WhatsApp's servers
         *     request it again from this client, so deleting it early costs that recipient the media: they are told it is no
         *     longer available. A delivery or read receipt does not prove that the media was downloaded. Outgoing media is
         *     generally safe to delete after 30 days.
         */
        delete: operations["deleteMedia"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settings/application": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read the application settings
         * @description Returns every application setting with its current value. Admin only.
         */
        get: operations["getApplicationSettings"];
        put?: never;
        post?: never;
        /**
         * Reset every application setting to its default
         * @description Resets every application setting to its default value (`wa_id` is not a setting and stays). Media providers are not changed. Admin only.
         */
        delete: operations["resetApplicationSettings"];
        options?: never;
        head?: never;
        /**
         * Update some application settings
         * @description Changes the settings present in the body; the others keep their value. The update is all-or-nothing: when any
         *     field is rejected, nothing changes. Unknown fields (and the read-only `wa_id`) answer 400 with 1010; a wrong type
         *     or value answers 400 with 1009 and `details` naming the field. `webhooks.url` must be `https://`;
         *     `webhooks.max_concurrent_requests` is 6, 12, 18 or 24; `pass_through` cannot be turned back on (`true` is
         *     rejected); `callback_backoff_delay_ms` and `max_callback_backoff_delay_ms` accept an integer or a string of
         *     digits. Admin only.
         *
         *     Settings that need a Coreapp restart to take effect: `axolotl_context_striping_disabled`, `callback_persist`,
         *     `db_garbagecollector_enable`, `garbagecollector_enable`, `pass_through`, `webhooks.max_concurrent_requests`,
         *     `verbose_logging` and `log_level`. The reply lists in `restart_required` those that this request changed.
         *
         *     For high-volume messaging campaigns, consider setting `garbagecollector_enable.messages` to false and back to
         *     true when the campaign ends.
         */
        patch: operations["updateApplicationSettings"];
        trace?: never;
    };
    "/v1/settings/application/media/providers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the media providers
         * @description Lists the media providers used when a message sends media by link. Secrets (`bearer`, `basic.password`) are write-only and returned masked as `********`. Admin only.
         */
        get: operations["getMediaProviders"];
        put?: never;
        /**
         * Create or replace a media provider
         * @description The body is an array holding one provider. A provider with a new name is created; one with an existing name is replaced. `config` holds exactly one of `basic` or `bearer`. Admin only.
         */
        post: operations["updateMediaProviders"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settings/application/media/providers/{provider_name}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Name of the media provider. */
                provider_name: components["parameters"]["ProviderNamePath"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete a media provider
         * @description Deletes the media provider of that name. Admin only.
         */
        delete: operations["deleteMediaProvider"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{page_id}/message_attachments": {
        parameters: {
            query?: {
                /**
                 * @description Lower-case hex HMAC-SHA256 of the access token, keyed by the app secret. Required when the app requires it
                 *     (the reference server: when `MESSENGER_APP_SECRET` is set); a missing or wrong proof answers code 100.
                 */
                appsecret_proof?: components["parameters"]["AppsecretProofQuery"];
            };
            header?: never;
            path: {
                /** @description Id of the Facebook Page, or `me` for the page that the access token belongs to. */
                page_id: components["parameters"]["PageIdPath"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload an attachment from a URL or a file
         * @description Uploads an asset to send in messages later by its `attachment_id`, so that a commonly used file need not be
         *     uploaded many times.
         *
         *     * **From a URL**: a JSON body with `message.attachment.type` and `message.attachment.payload.url`. The server
         *       fetches the URL: at most 8 MB for images and 25 MB for the other types (after encoding), within 75 s for videos
         *       and 10 s for the other types. `http` and `https` only, no credentials in the URL, at most 5 redirects.
         *     * **From a file**: `multipart/form-data` with the field `message` (the same JSON, as text or as a part with
         *       `Content-Type: application/json`, without `url`) and the field `filedata` (the file with its file name and MIME
         *       type), in either order.
         *
         *     Set `payload.is_reusable` to true to send the attachment in several messages. Attachment ids expire 90 days after
         *     upload: after that the id cannot be sent any more (re-upload to get a new id). Attachments already sent in a
         *     thread never expire: the messages keep them, visible until the person deletes the message. If your use case
         *     allows it, upload and send in one call (`sendMessage` with `payload.url`) to avoid the 90-day limit.
         *
         *     Errors (code 100): 2018008 the URL could not be fetched (check that it is valid, has a valid SSL certificate,
         *     the file size, and that the server answers fast enough); 2018294 the video timed out (75 s) or is corrupt;
         *     2018047 the declared `type` does not match the file. The reference server never fetches loopback, private,
         *     link-local (including 169.254.169.254), unique-local, multicast or unspecified addresses, after every redirect and
         *     for the address actually connected to, and answers those with 2018008 like any other fetch failure.
         */
        post: operations["uploadAttachment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{page_id}/messages": {
        parameters: {
            query?: {
                /**
                 * @description Lower-case hex HMAC-SHA256 of the access token, keyed by the app secret. Required when the app requires it
                 *     (the reference server: when `MESSENGER_APP_SECRET` is set); a missing or wrong proof answers code 100.
                 */
                appsecret_proof?: components["parameters"]["AppsecretProofQuery"];
            };
            header?: never;
            path: {
                /** @description Id of the Facebook Page, or `me` for the page that the access token belongs to. */
                page_id: components["parameters"]["PageIdPath"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send an attachment in a message
         * @description Sends an attachment to a person (`recipient.id`, a page-scoped id):
         *
         *     * by `payload.attachment_id`, an attachment this page uploaded with `is_reusable: true` less than 90 days ago;
         *       an unknown, expired, non-reusable or other page's id answers 100/2018074. Once sent, the attachment is in the
         *       thread and never expires there, even after its id can no longer be sent;
         *     * by `payload.url`, uploading and sending in one call. Do not set `is_reusable: true` there, nor
         *       `is_public=true` (Meta's warning): attachments in a user's thread are always private; `is_reusable: true` is
         *       rejected (100), and so is `is_public`, which is not a parameter of this payload. The URL is fetched with the
         *       same limits and errors as `uploadAttachment`. An attachment sent this way is in the thread at once, so the
         *       90-day expiry of attachment ids never concerns it.
         *
         *     Meta's attachment page shows the reply as `{"success": "true"}`; the Send API replies with `recipient_id` and
         *     `message_id`, and so does the reference server.
         */
        post: operations["sendMessage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * @description A WhatsApp Business API password: 8 to 64 characters with at least one upper-case letter, one lower-case letter,
         *     one digit and one special character.
         */
        Password: string;
        /**
         * @description Optional body of a login. `new_password` is required at the first login of the built-in `admin` account while
         *     it still has its default password, and changes the password of the user logging in otherwise. A password change
         *     revokes every other token of the user; the login that changes it returns a fresh one.
         */
        LoginRequest: {
            /**
             * @description The new password of the user logging in (8 to 64 characters with at least one upper-case letter, one
             *     lower-case letter, one digit and one special character). Changing it revokes every other token of the user:
             *     other sessions must log in again. The reply's token is a fresh one, valid with the new password.
             */
            new_password?: components["schemas"]["Password"];
        };
        UserToken: {
            /** @description Bearer token for the other WA operations. */
            token: string;
            /** @description When the token expires, as `YYYY-MM-DD hh:mm:ss+00:00` (a space instead of `T`, with a UTC offset). Tokens last 7 days. */
            expires_after: string;
        };
        /** @description Metadata present in every WhatsApp Business API JSON reply (it may be absent on errors). */
        WaMeta: {
            /**
             * @description Stability of the API that answered.
             * @enum {string}
             */
            api_status: "stable" | "experimental" | "deprecated";
            /**
             * @description Version of the WhatsApp Business API client that answered, for example `3.0.1`.
             * @example 3.0.1
             */
            version: string;
        };
        LoginResponse: {
            users: components["schemas"]["UserToken"][];
            meta: components["schemas"]["WaMeta"];
        };
        /** @description One WhatsApp Business API error. */
        WaError: {
            /**
             * @description Application error code: 1000 Generic error, 1004 Resource already exists, 1005 Access denied, 1006 Resource
             *     not found, 1008 Required parameter is missing, 1009 Parameter value is not valid, 1010 Parameter is not
             *     required, 1011 Service not ready, 1013 User is not valid, 1014 Internal error, 1015 Too many requests,
             *     1016 System overloaded, 1017 Not Primary Master, 1018 Not Primary Coreapp.
             * @enum {integer}
             */
            code: 1000 | 1004 | 1005 | 1006 | 1008 | 1009 | 1010 | 1011 | 1013 | 1014 | 1015 | 1016 | 1017 | 1018;
            /** @description Fixed title of the code, for example `Parameter value is not valid`. */
            title: string;
            /** @description What went wrong, naming the parameter or field concerned. */
            details: string;
            /**
             * Format: uri
             * @description Link to more information about the error.
             */
            href?: string;
        };
        /** @description The WhatsApp Business API error envelope. */
        WaErrorResponse: {
            errors: components["schemas"]["WaError"][];
            meta?: components["schemas"]["WaMeta"];
        };
        /** @description A WhatsApp Business API reply that carries no payload, only `meta`. */
        WaMetaResponse: {
            meta: components["schemas"]["WaMeta"];
        };
        /**
         * @description User name of a WhatsApp Business API user (letters, digits, `.`, `_` and `-`; 1 to 64 characters; not `.` or
         *     `..`). `login` and `logout` (in any letter case) are reserved by this contract, which Meta's pages do not state:
         *     they collide with the literal paths `/v1/users/login` and `/v1/users/logout`, so `DELETE /v1/users/login` could
         *     never reach such a user. `.` and `..` are refused for the same reason: URLs resolve them away (`/v1/users/.` is
         *     `/v1/users/`), so a user of that name could be created but never addressed or deleted.
         */
        Username: string;
        /**
         * @description Role of a user. Only `ROLE_ADMIN` may manage users, application settings and media providers.
         * @enum {string}
         */
        UserRole: "ROLE_ADMIN" | "ROLE_USER";
        CreateUserRequest: {
            username: components["schemas"]["Username"];
            password: components["schemas"]["Password"];
            /** @default ROLE_USER */
            role?: components["schemas"]["UserRole"];
        };
        /** @description A WhatsApp Business API user, as the user operations return it. */
        User: {
            username: components["schemas"]["Username"];
        };
        UsersResponse: {
            users: components["schemas"]["User"][];
            meta: components["schemas"]["WaMeta"];
        };
        /**
         * Format: uuid
         * @description Id of an uploaded media file (a UUID).
         * @example f043afd0-f0ae-4b9c-ab3d-696fb4c8cd68
         */
        MediaId: string;
        MediaUploadResponse: {
            media: {
                id: components["schemas"]["MediaId"];
            }[];
            meta: components["schemas"]["WaMeta"];
        };
        /** @enum {string} */
        AutoDownloadMediaType: "audio" | "document" | "voice" | "video" | "image" | "sticker";
        /**
         * @description Webhook URL that inbound and outbound notifications are routed to. **HTTPS only**: an `http://` URL is rejected.
         *     A shared secret may ride in the query (for example `https://example.net/webhook?auth=secret`) to authenticate the
         *     callbacks. While no URL is set, callbacks are dropped. Send an empty string to unset it.
         */
        WebhookUrl: string;
        /**
         * @description Coreapp log level; each level logs less than the one before (`info` the most, `fatal` only fatal errors). Ignored while `verbose_logging` is true.
         * @enum {string}
         */
        LogLevel: "info" | "warning" | "error" | "fatal";
        /**
         * @description Every application setting with its current value. Settings marked "Coreapp restart required"
         *     (`x-restart-required: true`) take effect only after the Coreapp restarts. Each setting's description gives its
         *     default, the value `DELETE /v1/settings/application` restores (also in `x-default`, for tools).
         */
        ApplicationSettings: {
            /** @description Affects database connection limits. The v2.25 outbound/inbound efficiency improvement opens more database connections; set to true to disable it if a deployment reaches its database connection limit. Coreapp restart required. Defaults to `false`. */
            axolotl_context_striping_disabled: boolean;
            /** @description Delay in milliseconds before a failed callback is retried. The delay grows by this value each time a callback does not get HTTPS 200 OK, up to `max_callback_backoff_delay_ms` (3000 ms, then 6000 ms, ... until 900000 ms), after which retries go on without growing. Defaults to `3000`. */
            callback_backoff_delay_ms: number;
            /** @description Store callbacks on disk until the webhook acknowledges them, so that they survive a crash of the client or the server; failed notifications (no HTTPS 200) are retried indefinitely. Coreapp restart required. Defaults to `true`. */
            callback_persist: boolean;
            /**
             * @deprecated
             * @description Deprecated since v2.49 (see `garbagecollector_enable`). Enables automatic clean-up of the message database, to
             *     help manage it. Its value is false for users who set `pass_through` to false before v2.29. Keeping it enabled
             *     is recommended for a stable database; if you disable it, consider the `/services/message/gc` endpoint to manage
             *     the database. Coreapp restart required. Defaults to `true`.
             */
            db_garbagecollector_enable: boolean;
            /** @description Automatic clean-up of messages and media (v2.49.1 and above). When disabled, clean-up can be started with `/services/message/gc` and `/services/media/gc`. Coreapp restart required. */
            garbagecollector_enable: {
                /** @description Clean up old messages. Disable during high-volume campaigns and re-enable afterwards. Coreapp restart required. Defaults to `true`. */
                messages: boolean;
                /** @description Clean up old media files. Coreapp restart required. Defaults to `false`. */
                media: boolean;
            };
            /** @description Interval in seconds at which the Master node checks the Coreapp nodes (multi-connect). At most 2147483647 (the largest signed 32-bit integer; Meta states no maximum). Defaults to `5`. */
            heartbeat_interval: number;
            /** @description Upper bound in milliseconds of the failed-callback retry delay (see `callback_backoff_delay_ms`). Defaults to `900000`. */
            max_callback_backoff_delay_ms: number;
            media: {
                /** @description Media types downloaded automatically when received. Defaults to `[]` (none). */
                auto_download: components["schemas"]["AutoDownloadMediaType"][];
            };
            /** @description Send the `user_changed_number` system notification. Defaults to `false`. */
            notify_user_change_number: boolean;
            /**
             * @description Whether each message is deleted from the local database once it is delivered or read. Sent messages are
             *     stored in the local database, which serves as the application's history; businesses that keep their own
             *     history may not need it. When true, a message is removed from the local database once the recipient has
             *     received or read it. When false, every message stays in local storage until it is cleaned up automatically
             *     (`db_garbagecollector_enable` true) or deleted for good (`db_garbagecollector_enable` false). Keeping
             *     `pass_through` disabled is recommended so that `status` callbacks work properly. Since v2.35 it cannot be turned
             *     back on, so it stays false. Coreapp restart required. Defaults to `false`.
             */
            pass_through: boolean;
            /** @description Send a `sent` status callback for outgoing messages. Defaults to `false`. */
            sent_status: boolean;
            /** @description Send a `user_identity_changed` webhook when the client detects that a user's identity may have changed; messages to that user are blocked until the change is acknowledged with the identity endpoint. Defaults to `false`. */
            show_security_notifications: boolean;
            /** @description Do not download the image or video of a Click to WhatsApp ad that the user clicked. Defaults to `false`. */
            skip_referral_media_download: boolean;
            /** @description Seconds the Master node waits for a Coreapp heartbeat before it considers the node unhealthy and starts a failover (multi-connect). At most 2147483647 (the largest signed 32-bit integer; Meta states no maximum). Defaults to `30`. */
            unhealthy_interval: number;
            /** @description The WhatsApp id (phone number) of this client. Read-only; a PATCH that sends it is rejected. */
            readonly wa_id: string;
            /**
             * @deprecated
             * @description Deprecated since v2.39. Leaves conversation and pricing information out of message status notifications. No restart required. Defaults to `false`.
             */
            webhook_payload_conversation_pricingmodel_disabled: boolean;
            /** @description Webhook configuration. Required when you use webhooks. */
            webhooks: {
                url?: components["schemas"]["WebhookUrl"];
                /**
                 * @description Maximum number of callback requests in flight at once. Coreapp restart required. Defaults to `6`.
                 * @enum {integer}
                 */
                max_concurrent_requests: 6 | 12 | 18 | 24;
                /** @description Which message status webhooks to receive (v2.41.2 and above). */
                message: {
                    /** @description Receive the `sent` message status webhook. Defaults to `true`. */
                    sent: boolean;
                    /** @description Receive the `delivered` message status webhook. Defaults to `true`. */
                    delivered: boolean;
                    /** @description Receive the `read` message status webhook. Defaults to `true`. */
                    read: boolean;
                };
            };
            /** @description Verbose logging in the Coreapp (v2.51.1 and above), for testing only, to avoid a large volume of output. When true, `log_level` is ignored. Coreapp restart required. Defaults to `false`. */
            verbose_logging: boolean;
            /** @description Coreapp log level (v2.51.1 and above), from the most output to the least, `info`, `warning`, `error` or `fatal` (fatal errors only); ignored while `verbose_logging` is true. Coreapp restart required. Defaults to `info`. */
            log_level: components["schemas"]["LogLevel"];
        };
        ApplicationSettingsResponse: {
            settings: {
                application: components["schemas"]["ApplicationSettings"];
            };
            meta: components["schemas"]["WaMeta"];
        };
        /** @description Reply of an operation that Meta documents as answering `null` or `{}`; the reference server answers `{"meta": {...}}`. */
        WaOptionalMetaResponse: {
            meta?: components["schemas"]["WaMeta"];
        } | null;
        /**
         * @description A delay in milliseconds, from 0 to 2147483647. Documented by Meta as a string while its samples show an integer;
         *     both an integer and a string of digits are accepted, and it is always returned as an integer. Meta states no
         *     maximum; this contract bounds the delay to the largest signed 32-bit integer (about 24.8 days), so that the value
         *     fits any client's integer field and a timer, and a larger one (as a number or as digits) is refused with 1009
         *     naming the field.
         */
        DelayMilliseconds: number | string;
        /**
         * @description A partial update of the application settings: fields that are not present keep their value. The update is
         *     all-or-nothing: when any field is rejected nothing changes. Unknown fields (including the read-only `wa_id`) are
         *     rejected with 1010; a wrong type or value with 1009, `details` naming the field.
         */
        ApplicationSettingsPatch: {
            /** @description See `ApplicationSettings`. Coreapp restart required. */
            axolotl_context_striping_disabled?: boolean;
            callback_backoff_delay_ms?: components["schemas"]["DelayMilliseconds"];
            /** @description See `ApplicationSettings`. Coreapp restart required. */
            callback_persist?: boolean;
            /**
             * @deprecated
             * @description Deprecated since v2.49. Keeping it enabled is recommended; if you disable it, consider `/services/message/gc` to manage the message database. See `ApplicationSettings`. Coreapp restart required.
             */
            db_garbagecollector_enable?: boolean;
            garbagecollector_enable?: {
                /** @description Coreapp restart required. */
                messages?: boolean;
                /** @description Coreapp restart required. */
                media?: boolean;
            };
            /** @description Seconds, 1 to 2147483647. See `ApplicationSettings`. */
            heartbeat_interval?: number;
            max_callback_backoff_delay_ms?: components["schemas"]["DelayMilliseconds"];
            media?: {
                auto_download?: components["schemas"]["AutoDownloadMediaType"][];
            };
            notify_user_change_number?: boolean;
            /**
             * @description Since v2.35 `pass_through` cannot be turned back on; `true` is rejected with 1009. Keeping it disabled is recommended so that `status` callbacks work properly.
             * @constant
             */
            pass_through?: false;
            sent_status?: boolean;
            show_security_notifications?: boolean;
            skip_referral_media_download?: boolean;
            /** @description Seconds, 1 to 2147483647. See `ApplicationSettings`. */
            unhealthy_interval?: number;
            /** @deprecated */
            webhook_payload_conversation_pricingmodel_disabled?: boolean;
            webhooks?: {
                url?: components["schemas"]["WebhookUrl"];
                /**
                 * @description 6, 12, 18 or 24. Coreapp restart required.
                 * @enum {integer}
                 */
                max_concurrent_requests?: 6 | 12 | 18 | 24;
                message?: {
                    sent?: boolean;
                    delivered?: boolean;
                    read?: boolean;
                };
            };
            /** @description v2.51.1 and above. Coreapp restart required. */
            verbose_logging?: boolean;
            /** @description v2.51.1 and above; ignored while `verbose_logging` is true. Coreapp restart required. */
            log_level?: components["schemas"]["LogLevel"];
        };
        /**
         * @description Reply to a settings update. Meta's API answers `null` or an object; the reference server answers an object
         *     listing in `restart_required` the changed settings (dotted paths) that take effect only after a Coreapp restart.
         */
        ApplicationSettingsUpdateResponse: {
            /** @description Settings changed by this request that need a Coreapp restart, as dotted paths (for example `webhooks.max_concurrent_requests`). */
            restart_required?: string[];
            meta?: components["schemas"]["WaMeta"];
        } | null;
        /**
         * @description Name of a media provider (letters, digits, `.`, `_` and `-`; 1 to 64 characters; not `.` or `..`). A message
         *     that sends media by link names the provider whose credentials are used to fetch it. Meta documents no rule for the
         *     name; this is a choice of this contract, kept because the name is a path segment of
         *     `DELETE /v1/settings/application/media/providers/{provider_name}`: a name of these characters never needs
         *     percent-encoding, and `.` and `..` are refused because URLs resolve them away (`/providers/.` is `/providers/`),
         *     so every provider that can be created can also be addressed and deleted.
         */
        ProviderName: string;
        /** @description A media provider as read back; its secrets are masked as `********`. */
        MediaProviderMasked: {
            name: components["schemas"]["ProviderName"];
            /** @enum {string} */
            type: "www";
            config: {
                basic: {
                    username: string;
                    /**
                     * @description Always masked.
                     * @constant
                     */
                    password: "********";
                };
            } | {
                /**
                 * @description Always masked.
                 * @constant
                 */
                bearer: "********";
            };
        };
        MediaProvidersResponse: {
            settings: {
                application: {
                    media: {
                        providers: components["schemas"]["MediaProviderMasked"][];
                    };
                };
            };
            meta: components["schemas"]["WaMeta"];
        };
        /**
         * @description A media provider: credentials used when a message sends media by link. `config` holds exactly one of `basic` or
         *     `bearer`. Secrets are write-only: a GET returns them masked as `********`. Meta states no length limits; this
         *     contract bounds them (256 characters for a user name or password, 4096 for a bearer token: real credentials fit)
         *     so that a provider record stays small, since the secrets must be stored as given to be usable.
         */
        MediaProvider: {
            name: components["schemas"]["ProviderName"];
            /**
             * @description Provider type; only `www` exists.
             * @enum {string}
             */
            type: "www";
            config: {
                basic: {
                    username: string;
                    /** @description Write-only; returned masked as `********`. */
                    password: string;
                };
            } | {
                /** @description Bearer token sent to the provider. Write-only; returned masked as `********`. */
                bearer: string;
            };
        };
        /** @description An array holding the one provider to create, or to replace when a provider of that name exists. */
        MediaProvidersUpdate: components["schemas"]["MediaProvider"][];
        /**
         * @description Type of the attachment. Limits per type when the server fetches the file from a URL (Meta's attachment page: "8 MB for images and
         *     25 MB for all other file types, after encoding; a timeout of 75 s for videos and 10 s for all other types"); a file
         *     upload has the same size limits. They are also given, per type, in `x-attachment-limits` (`max-bytes`,
         *     `fetch-timeout-ms`).
         * @enum {string}
         */
        AttachmentType: "image" | "video" | "audio" | "file";
        /**
         * Format: uri
         * @description URL of the file to fetch (`http` or `https`, no credentials in the URL). Size limit 8 MB for images and 25 MB
         *     for the other types (after encoding); time limit 75 s for videos and 10 s for the other types. The server does not
         *     fetch loopback, private, link-local, unique-local, multicast or unspecified addresses, after every redirect (at most 5).
         */
        AttachmentUrl: string;
        /** @description Upload an attachment from a URL. */
        AttachmentUploadRequest: {
            message: {
                attachment: {
                    type: components["schemas"]["AttachmentType"];
                    payload: {
                        url: components["schemas"]["AttachmentUrl"];
                        /**
                         * @description Set to true to send the attachment in several messages by its `attachment_id` (it still expires 90 days after upload).
                         * @default false
                         */
                        is_reusable?: boolean;
                    };
                };
            };
            /** @description The page access token may also ride in the JSON body, as Meta's example shows; the `access_token` query parameter is preferred. */
            access_token?: string;
        };
        /** @description The `message` form field of a file upload (a JSON document). */
        AttachmentFileMessage: {
            attachment: {
                type: components["schemas"]["AttachmentType"];
                payload?: {
                    /**
                     * @description Set to true to send the attachment in several messages by its `attachment_id`.
                     * @default false
                     */
                    is_reusable?: boolean;
                };
            };
        };
        /** @description Upload an attachment from a file, as `multipart/form-data`. */
        AttachmentUploadForm: {
            /** @description JSON text of an `AttachmentFileMessage`, for example `{"attachment":{"type":"image","payload":{"is_reusable":true}}}`, sent as a text field or as a part of type `application/json`. */
            message: string;
            /**
             * Format: binary
             * @description The file, with its file name and MIME type (for example `image/png`). Size limit 8 MB for images, 25 MB for the other types.
             */
            filedata: Blob;
        };
        /** @description Id of an uploaded attachment (a numeric string). It expires 90 days after upload. */
        AttachmentId: string;
        AttachmentUploadResponse: {
            attachment_id: components["schemas"]["AttachmentId"];
        };
        /** @description One Graph API error. */
        GraphError: {
            /** @description Human-readable message, for example `(#100) The attachment ID is probably invalid, or you do not own the attachment.` */
            message: string;
            /** @description Error type; `OAuthException` for token and parameter errors, `GraphMethodException` for an object the token may not use or a wrong `appsecret_proof`. */
            type: string;
            /** @description Error code. 100 invalid parameter (see `error_subcode`); 190 missing or invalid access token. */
            code: number;
            /**
             * @description Sub-code of code 100. 2018074 the attachment id is probably invalid or not yours; 2018008 the URL could not be
             *     fetched (check that it is valid, has a valid SSL certificate, the file size, and that the server answers fast
             *     enough); 2018294 the video upload timed out (75 s) or the video is corrupt; 2018047 the declared type does not
             *     match the file at the URL; 33 the object does not exist or the token may not access it.
             */
            error_subcode?: number;
            error_user_title?: string;
            error_user_msg?: string;
            is_transient?: boolean;
            /** @description Trace id to quote to Meta support. */
            fbtrace_id: string;
        };
        /** @description The Graph API error envelope. */
        GraphErrorResponse: {
            error: components["schemas"]["GraphError"];
        };
        /** @description Send an attachment to a person, by `attachment_id` (uploaded before with `is_reusable: true`) or by `url` (upload and send in one call). */
        SendMessageRequest: {
            recipient: {
                /** @description Page-scoped id (PSID) of the person. */
                id: string;
            };
            /**
             * @default RESPONSE
             * @enum {string}
             */
            messaging_type?: "RESPONSE" | "UPDATE" | "MESSAGE_TAG";
            message: {
                attachment: {
                    type: components["schemas"]["AttachmentType"];
                    payload: {
                        attachment_id: components["schemas"]["AttachmentId"];
                    } | {
                        url: components["schemas"]["AttachmentUrl"];
                        /**
                         * @description Do not set to true when uploading and sending in one call; attachments in a user's thread are always private, so `true` is rejected.
                         * @constant
                         */
                        is_reusable?: false;
                    };
                };
            };
            /** @description The page access token may also ride in the JSON body; the `access_token` query parameter is preferred. */
            access_token?: string;
        };
        SendMessageResponse: {
            /** @description PSID of the recipient. */
            recipient_id: string;
            /** @description Id of the message sent. */
            message_id: string;
            attachment_id?: components["schemas"]["AttachmentId"];
        };
    };
    responses: {
        /** @description The JSON body is larger than 256 KB (1009); nothing was read past the limit and nothing changed. */
        WaJsonBodyTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["WaErrorResponse"];
            };
        };
        /** @description The body is not sent as `application/json` (1009). */
        WaJsonUnsupportedMediaType: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["WaErrorResponse"];
            };
        };
        /** @description Done. */
        WaMetaOnly: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["WaMetaResponse"];
            };
        };
        /** @description Missing, malformed, unknown, revoked or expired bearer token. Log in again with `POST /v1/users/login`. */
        WaUnauthorized: {
            headers: {
                "WWW-Authenticate": components["headers"]["WwwAuthenticate"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["WaErrorResponse"];
            };
        };
        /** @description The user is not an admin (1005); only `ROLE_ADMIN` users may call this operation. */
        WaForbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["WaErrorResponse"];
            };
        };
        /** @description Done. Meta's API answers `null` or `{}`; the reference server answers `{"meta": {...}}`. */
        WaNullOrMeta: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["WaOptionalMetaResponse"];
            };
        };
        /** @description Missing or invalid page access token (code 190). */
        GraphUnauthorized: {
            headers: {
                "WWW-Authenticate": components["headers"]["WwwAuthenticate"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["GraphErrorResponse"];
            };
        };
        /** @description Storage could not take the attachment (code 2, `is_transient`); nothing was stored. Retry later. */
        GraphServiceUnavailable: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["GraphErrorResponse"];
            };
        };
    };
    parameters: {
        /** @description User name of the user. */
        UsernamePath: components["schemas"]["Username"];
        /** @description Id of the media file, as returned by `POST /v1/media` (a UUID). Any other value is answered as not found. */
        MediaIdPath: components["schemas"]["MediaId"];
        /** @description Name of the media provider. */
        ProviderNamePath: components["schemas"]["ProviderName"];
        /** @description Id of the Facebook Page, or `me` for the page that the access token belongs to. */
        PageIdPath: string;
        /**
         * @description Lower-case hex HMAC-SHA256 of the access token, keyed by the app secret. Required when the app requires it
         *     (the reference server: when `MESSENGER_APP_SECRET` is set); a missing or wrong proof answers code 100.
         */
        AppsecretProofQuery: string;
    };
    requestBodies: never;
    headers: {
        /** @description The authentication scheme the operation expects (`Bearer` for WA operations, `Basic` for login, `OAuth` for Graph operations). */
        WwwAuthenticate: string;
        /** @description How many seconds to wait before trying again (a whole number of seconds, at least 1). */
        RetryAfter: string;
        /** @description Size of the media file in bytes. */
        ContentLength: number;
        /** @description Always `nosniff`, so that browsers use the stored content type. */
        NoSniff: "nosniff";
        /**
         * @description Always `attachment`. Together with `X-Content-Type-Options: nosniff`, it keeps a browser that opens a download URL
         *     from rendering the file: an uploaded `text/html` or `image/svg+xml` document is saved, not run in the API's origin
         *     (media types are whatever the uploader declared, and documents take any type).
         */
        ContentDisposition: "attachment";
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    loginUser: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["LoginRequest"];
            };
        };
        responses: {
            /** @description Logged in. Use `token` as `Authorization: Bearer <token>` until `expires_after`. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoginResponse"];
                };
            };
            /** @description The default admin password must be changed (1008), `new_password` breaks the password rule (1009), or the body is not valid JSON, is not UTF-8 or has unknown fields (1009, 1010). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WaErrorResponse"];
                };
            };
            /** @description Missing Basic credentials, or wrong user name or password. */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WwwAuthenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WaErrorResponse"];
                };
            };
            413: components["responses"]["WaJsonBodyTooLarge"];
            415: components["responses"]["WaJsonUnsupportedMediaType"];
            /** @description Too many failed logins in the current window (1015) from this client address, or for this user name from an address that has failed too. Nothing was checked; retry after `Retry-After` seconds. */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WaErrorResponse"];
                };
            };
        };
    };
    logoutUser: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["WaMetaOnly"];
            401: components["responses"]["WaUnauthorized"];
        };
    };
    createUser: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateUserRequest"];
            };
        };
        responses: {
            /** @description User created. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UsersResponse"];
                };
            };
            /** @description A required field is missing (1008), a value is not valid (1009; for example a password that breaks the rule or a reserved user name), or an unknown field is present (1010). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WaErrorResponse"];
                };
            };
            401: components["responses"]["WaUnauthorized"];
            403: components["responses"]["WaForbidden"];
            /** @description A user of that name already exists (1004). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WaErrorResponse"];
                };
            };
            413: components["responses"]["WaJsonBodyTooLarge"];
            415: components["responses"]["WaJsonUnsupportedMediaType"];
        };
    };
    deleteUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description User name of the user. */
                username: components["parameters"]["UsernamePath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description User deleted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UsersResponse"];
                };
            };
            /** @description The user name is not valid, or names the built-in `admin` account (1009). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WaErrorResponse"];
                };
            };
            401: components["responses"]["WaUnauthorized"];
            403: components["responses"]["WaForbidden"];
            /** @description No user of that name (1006). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WaErrorResponse"];
                };
            };
        };
    };
    uploadMedia: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description The raw bytes of the media file. */
        requestBody: {
            content: {
                "audio/aac": Blob;
                "audio/mp4": Blob;
                "audio/amr": Blob;
                "audio/mpeg": Blob;
                "audio/ogg; codecs=opus": Blob;
                "image/jpeg": Blob;
                "image/png": Blob;
                "image/webp": Blob;
                "video/mp4": Blob;
                "video/3gpp": Blob;
                "application/octet-stream": Blob;
            };
        };
        responses: {
            /** @description Media stored. Keep the `id` to download, send or delete the media. (Clients must accept any 2xx.) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MediaUploadResponse"];
                };
            };
            /** @description No `Content-Type` header, or an empty body (1008). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WaErrorResponse"];
                };
            };
            401: components["responses"]["WaUnauthorized"];
            /** @description The body is larger than the limit of its media type or the node's upload cap (1009). Nothing is stored. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WaErrorResponse"];
                };
            };
            /** @description The content type is not a valid MIME type of a body (a range such as `text/*`, or not a MIME type), does not match the bytes of an audio, image, sticker or video upload, or describes media WhatsApp cannot send (stereo Ogg Opus, animated WebP sticker) (1009). Nothing is stored. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WaErrorResponse"];
                };
            };
            /** @description The media volume is not writable or is full (1011). Nothing is stored. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WaErrorResponse"];
                };
            };
        };
    };
    downloadMedia: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Id of the media file, as returned by `POST /v1/media` (a UUID). Any other value is answered as not found. */
                media_id: components["parameters"]["MediaIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The media file. */
            200: {
                headers: {
                    "Content-Length": components["headers"]["ContentLength"];
                    "X-Content-Type-Options": components["headers"]["NoSniff"];
                    "Content-Disposition": components["headers"]["ContentDisposition"];
                    [name: string]: unknown;
                };
                content: {
                    "audio/aac": Blob;
                    "audio/mp4": Blob;
                    "audio/amr": Blob;
                    "audio/mpeg": Blob;
                    "audio/ogg; codecs=opus": Blob;
                    "image/jpeg": Blob;
                    "image/png": Blob;
                    "image/webp": Blob;
                    "video/mp4": Blob;
                    "video/3gpp": Blob;
                    "*/*": Blob;
                };
            };
            401: components["responses"]["WaUnauthorized"];
            /** @description No media with this id. The reply has no body. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    deleteMedia: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Id of the media file, as returned by `POST /v1/media` (a UUID). Any other value is answered as not found. */
                media_id: components["parameters"]["MediaIdPath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["WaMetaOnly"];
            401: components["responses"]["WaUnauthorized"];
            /** @description No media with this id (1006). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WaErrorResponse"];
                };
            };
            /** @description The media volume is not writable (1011); the media is still there. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WaErrorResponse"];
                };
            };
        };
    };
    getApplicationSettings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The current application settings. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApplicationSettingsResponse"];
                };
            };
            401: components["responses"]["WaUnauthorized"];
            403: components["responses"]["WaForbidden"];
        };
    };
    resetApplicationSettings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["WaNullOrMeta"];
            401: components["responses"]["WaUnauthorized"];
            403: components["responses"]["WaForbidden"];
        };
    };
    updateApplicationSettings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ApplicationSettingsPatch"];
            };
        };
        responses: {
            /** @description Settings changed. Meta's API answers `null` or an object; the reference server answers an object with `restart_required`. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApplicationSettingsUpdateResponse"];
                };
            };
            /** @description A field has a wrong type or value (1009), is unknown or read-only (1010), or the body is not valid JSON or not UTF-8 (1009). Nothing changed. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WaErrorResponse"];
                };
            };
            401: components["responses"]["WaUnauthorized"];
            403: components["responses"]["WaForbidden"];
            413: components["responses"]["WaJsonBodyTooLarge"];
            415: components["responses"]["WaJsonUnsupportedMediaType"];
        };
    };
    getMediaProviders: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The media providers. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MediaProvidersResponse"];
                };
            };
            401: components["responses"]["WaUnauthorized"];
            403: components["responses"]["WaForbidden"];
        };
    };
    updateMediaProviders: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MediaProvidersUpdate"];
            };
        };
        responses: {
            200: components["responses"]["WaNullOrMeta"];
            /** @description A required field is missing (1008), a value is not valid (1009; for example `config` with both or neither of `basic` and `bearer`), an unknown field is present (1010), or the body is not valid JSON or not UTF-8 (1009). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WaErrorResponse"];
                };
            };
            401: components["responses"]["WaUnauthorized"];
            403: components["responses"]["WaForbidden"];
            413: components["responses"]["WaJsonBodyTooLarge"];
            415: components["responses"]["WaJsonUnsupportedMediaType"];
        };
    };
    deleteMediaProvider: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Name of the media provider. */
                provider_name: components["parameters"]["ProviderNamePath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["WaNullOrMeta"];
            401: components["responses"]["WaUnauthorized"];
            403: components["responses"]["WaForbidden"];
            /** @description No media provider of that name (1006). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WaErrorResponse"];
                };
            };
        };
    };
    uploadAttachment: {
        parameters: {
            query?: {
                /**
                 * @description Lower-case hex HMAC-SHA256 of the access token, keyed by the app secret. Required when the app requires it
                 *     (the reference server: when `MESSENGER_APP_SECRET` is set); a missing or wrong proof answers code 100.
                 */
                appsecret_proof?: components["parameters"]["AppsecretProofQuery"];
            };
            header?: never;
            path: {
                /** @description Id of the Facebook Page, or `me` for the page that the access token belongs to. */
                page_id: components["parameters"]["PageIdPath"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AttachmentUploadRequest"];
                "multipart/form-data": components["schemas"]["AttachmentUploadForm"];
            };
        };
        responses: {
            /** @description Attachment stored. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AttachmentUploadResponse"];
                };
            };
            /** @description The URL could not be fetched (100/2018008), a video timed out or is corrupt (100/2018294), the declared type does not match the file (100/2018047), a parameter is missing or invalid (100), the file is too large (100), the page is not the token's (100/33), or `appsecret_proof` is missing or wrong (100). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GraphErrorResponse"];
                };
            };
            401: components["responses"]["GraphUnauthorized"];
            503: components["responses"]["GraphServiceUnavailable"];
        };
    };
    sendMessage: {
        parameters: {
            query?: {
                /**
                 * @description Lower-case hex HMAC-SHA256 of the access token, keyed by the app secret. Required when the app requires it
                 *     (the reference server: when `MESSENGER_APP_SECRET` is set); a missing or wrong proof answers code 100.
                 */
                appsecret_proof?: components["parameters"]["AppsecretProofQuery"];
            };
            header?: never;
            path: {
                /** @description Id of the Facebook Page, or `me` for the page that the access token belongs to. */
                page_id: components["parameters"]["PageIdPath"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SendMessageRequest"];
            };
        };
        responses: {
            /** @description Message sent. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SendMessageResponse"];
                };
            };
            /** @description The attachment id is unknown, expired, not reusable or not this page's (100/2018074), the URL could not be fetched (100/2018008, 2018294, 2018047), the declared `type` differs from the uploaded attachment's type (100/2018047), `is_reusable` is true in an upload-and-send (100), a parameter is missing or invalid (100), the page is not the token's (100/33), or `appsecret_proof` is missing or wrong (100). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GraphErrorResponse"];
                };
            };
            401: components["responses"]["GraphUnauthorized"];
            503: components["responses"]["GraphServiceUnavailable"];
        };
    };
}
