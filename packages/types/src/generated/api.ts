// GENERATED from spec/api-tokens.yaml by packages/types/scripts/generate.mjs. Do not edit: run `pnpm generate`.

export interface paths {
    "/activeGates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Lists all available ActiveGates
         * @description The response includes all ActiveGates that are currently connected to the environment or have been connected during last 2 hours.
         */
        get: operations["getAllActiveGates"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/activeGates/{agId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Gets the details of the specified ActiveGate */
        get: operations["getOneActiveGateById"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/activeGates/tokenEnforcement": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Gets the status of ActiveGate tokens enforcement | maturity=EARLY_ADOPTER */
        get: operations["getActiveGateTokenEnforcement"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/activeGateTokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Lists all available ActiveGate tokens | maturity=EARLY_ADOPTER
         * @description You can limit the output by using pagination:
         *     1. Specify the number of results per page in the **pageSize** query parameter.
         *     2. Use the cursor from the **nextPageKey** field of the previous response in the **nextPageKey** query parameter to obtain subsequent pages.
         */
        get: operations["listActiveGateTokens"];
        put?: never;
        /**
         * Creates a new ActiveGate token | maturity=EARLY_ADOPTER
         * @description The newly created token will be owned by the same user who owns the token used for authentication of the call.
         */
        post: operations["createActiveGateToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/activeGateTokens/{activeGateTokenIdentifier}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Gets metadata of an ActiveGate token | maturity=EARLY_ADOPTER
         * @description The token secret is **not** exposed.
         */
        get: operations["getActiveGateToken"];
        put?: never;
        post?: never;
        /** Deletes an ActiveGate token | maturity=EARLY_ADOPTER */
        delete: operations["deleteActiveGateToken"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/apiTokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Lists all available API tokens
         * @description You can limit the output by using pagination:
         *     1. Specify the number of results per page in the **pageSize** query parameter.
         *     2. Use the cursor from the **nextPageKey** field of the previous response in the **nextPageKey** query parameter to obtain subsequent pages.
         */
        get: operations["listApiTokens"];
        put?: never;
        /**
         * Creates a new API token
         * @description The newly created token will be owned by the same user who owns the token used for authentication of the call.
         */
        post: operations["createApiToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/apiTokens/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Gets API token metadata by token ID
         * @description The token secret is **not** exposed.
         */
        get: operations["getApiToken"];
        /** Updates an API token */
        put: operations["updateApiToken"];
        post?: never;
        /** Deletes an API token */
        delete: operations["deleteApiToken"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/apiTokens/lookup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Gets API token metadata by token secret */
        post: operations["lookupApiToken"];
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
        /** @description Configuration of the ActiveGate auto-updates. */
        ActiveGateAutoUpdateConfig: {
            /**
             * @description The state of the ActiveGate auto-update: enabled, disabled, or inherited.
             *
             *     If set to `INHERITED`, the setting is inherited from the global configuration set on the environment or Managed cluster level.
             * @example INHERITED
             * @enum {string}
             */
            setting: "DISABLED" | "ENABLED" | "INHERITED" | (string & {});
            /**
             * @description The actual state of the ActiveGate auto-update.
             *
             *     Applicable only if the **setting** parameter is set to `INHERITED`. In that case, the value is taken from the parent setting. Otherwise, it's just a duplicate of the **setting** value.
             * @example ENABLED
             * @enum {string}
             */
            readonly effectiveSetting?: "ENABLED" | "DISABLED" | (string & {});
        };
        /** @description One violated constraint of a request. */
        ConstraintViolation: {
            /** @enum {string} */
            parameterLocation?: "PATH" | "PAYLOAD_BODY" | "QUERY" | "HEADER" | (string & {});
            location?: string;
            message?: string;
            path?: string;
        };
        Error: {
            /** @description A list of constraint violations */
            constraintViolations?: components["schemas"]["ConstraintViolation"][];
            /** @description The error message */
            message?: string;
            /**
             * Format: int32
             * @description The HTTP status code
             */
            code?: number;
        };
        /**
         * @description The body of every error response.
         * @example {
         *       "error": {
         *         "code": 400,
         *         "message": "Constraints violated.",
         *         "constraintViolations": [
         *           {
         *             "path": "pageSize",
         *             "message": "must be greater than or equal to 100",
         *             "parameterLocation": "QUERY"
         *           }
         *         ]
         *       }
         *     }
         */
        ErrorEnvelope: {
            error?: components["schemas"]["Error"];
        };
        /** @description Parameters of the ActiveGate. */
        ActiveGate: {
            /**
             * @description The ID of the ActiveGate.
             * @example 0x3efdd091
             */
            readonly id?: string;
            /** @description A list of network addresses of the ActiveGate. */
            readonly networkAddresses?: string[];
            /** @description A list of Load Balancer addresses of the ActiveGate. */
            readonly loadBalancerAddresses?: string[];
            /**
             * @description The OS type that the ActiveGate is running on.
             * @example WINDOWS
             * @enum {string}
             */
            readonly osType?: "LINUX" | "WINDOWS" | (string & {});
            /**
             * @description The OS architecture that the ActiveGate is running on.
             * @example X86
             * @enum {string}
             */
            readonly osArchitecture?: "S390" | "X86" | (string & {});
            /**
             * @description The OS bitness that the ActiveGate is running on.
             * @example 64
             * @enum {string}
             */
            readonly osBitness?: "64" | (string & {});
            /**
             * @description The current status of auto-updates of the ActiveGate.
             * @example OUTDATED
             * @enum {string}
             */
            readonly autoUpdateStatus?: "INCOMPATIBLE" | "OUTDATED" | "SCHEDULED" | "SUPPRESSED" | "UNKNOWN" | "UP2DATE" | "UPDATE_IN_PROGRESS" | "UPDATE_PENDING" | "UPDATE_PROBLEM" | (string & {});
            /**
             * Format: int64
             * @description The timestamp since when the ActiveGate is offline.
             *
             *      The `null` value means the ActiveGate is online.
             * @example 1582031917814
             */
            readonly offlineSince?: number | null;
            /**
             * @description The current version of the ActiveGate in the `<major>.<minor>.<revision>.<timestamp>` format.
             * @example 1.185.0.20200201-120000
             */
            readonly version?: string;
            /**
             * @description The type of the ActiveGate.
             * @example ENVIRONMENT
             * @enum {string}
             */
            readonly type?: "CLUSTER" | "ENVIRONMENT" | "ENVIRONMENT_MULTI" | (string & {});
            /**
             * @description The name of the host the ActiveGate is running on.
             * @example exampleHostname
             */
            readonly hostname?: string;
            /**
             * @description The ID of the main environment for a multi-environment ActiveGate.
             * @example d1bf4a7e-666b-43af-9f45-718g98372e2f
             */
            readonly mainEnvironment?: string;
            /** @description A list of environments (specified by IDs) the ActiveGate can connect to. */
            readonly environments?: string[];
            autoUpdateSettings?: components["schemas"]["ActiveGateAutoUpdateConfig"];
            /**
             * @description The network zone of the ActiveGate.
             * @example exampleNetworkZone
             */
            readonly networkZone?: string;
            /**
             * @description The group of the ActiveGate.
             * @example default
             */
            readonly group?: string;
            /** @description A list of modules of the ActiveGate. */
            readonly modules?: components["schemas"]["ActiveGateModule"][];
            /** @description ActiveGate is deployed in container (`true`) or not (`false`). */
            readonly containerized?: boolean;
            connectedHosts?: components["schemas"]["ActiveGateConnectedHosts"];
            /** @description A list of the ActiveGate tokens. */
            readonly activeGateTokens?: components["schemas"]["ActiveGateTokenInfoDto"][];
        };
        /** @description Information about hosts currently connected to the ActiveGate */
        ActiveGateConnectedHosts: {
            /**
             * Format: int32
             * @description The number of hosts currently connected to the ActiveGate
             * @example 150
             */
            readonly number?: number;
        };
        /** @description A list of ActiveGates. */
        ActiveGateList: {
            /** @description A list of ActiveGates. */
            readonly activeGates?: components["schemas"]["ActiveGate"][];
        };
        /** @description Information about ActiveGate module */
        ActiveGateModule: {
            /** @description The module is misconfigured (`true`) or not (`false`). */
            readonly misconfigured?: boolean;
            /**
             * @description The type of ActiveGate module.
             * @example KUBERNETES
             * @enum {string}
             */
            readonly type?: "AWS" | "AZURE" | "BEACON_FORWARDER" | "CLOUD_FOUNDRY" | "DB_INSIGHT" | "EXTENSIONS_V1" | "EXTENSIONS_V2" | "KUBERNETES" | "LOGS" | "MEMORY_DUMPS" | "METRIC_API" | "ONE_AGENT_ROUTING" | "OTLP_INGEST" | "REST_API" | "SYNTHETIC" | "VMWARE" | "Z_OS" | (string & {});
            /** @description The attributes of the ActiveGate module. */
            readonly attributes?: {
                [key: string]: string;
            };
            /** @description The version of the ActiveGate module. */
            readonly version?: string;
            /** @description The module is enabled (`true`) or disabled (`false`). */
            readonly enabled?: boolean;
        };
        /** @description Information about ActiveGate token. */
        ActiveGateTokenInfoDto: {
            /**
             * @description The environment ID to which the token belongs.
             *
             *     Only available if more than one environment is supported.
             */
            readonly environmentId?: string;
            /**
             * @description The ActiveGate token identifier, consisting of [prefix and public part](https://dt-url.net/2903ss4) of the token.
             * @example dt0g02.4KWZO5EF
             */
            readonly id?: string;
            /**
             * @description State of the ActiveGate token.
             * @enum {string}
             */
            readonly state?: "ABSENT" | "EXPIRING" | "INVALID" | "UNKNOWN" | "UNSUPPORTED" | "VALID" | (string & {});
        };
        /** @description The status of ActiveGate tokens enforcement. */
        ActiveGateTokenEnforcement: {
            /** @description If `true`, ActiveGate tokens are manually enforced by user. */
            manualEnforced?: boolean;
            /** @description If `true`, ActiveGate tokens are enforced automatically. */
            autoEnforced?: boolean;
            autoEnforcementEstimation?: components["schemas"]["Duration"];
        };
        /** @description Defines a period of time. */
        Duration: {
            /**
             * Format: int64
             * @description The amount of time.
             */
            value: number;
            /**
             * @description The unit of time.
             *
             *      If not set, millisecond is used.
             * @enum {string}
             */
            unit?: "DAYS" | "HOURS" | "MILLIS" | "MINUTES" | "SECONDS" | (string & {});
        };
        /** @description The newly created ActiveGate token. */
        ActiveGateTokenCreated: {
            /**
             * @description The ActiveGate token identifier, consisting of [prefix and public part](https://dt-url.net/2903ss4) of the token.
             * @example dt0g02.4KWZO5EF
             */
            id: string;
            /**
             * @description The secret of the token.
             * @example dt0g02.4KWZO5EF.XT47R5DRADJIZUFOX4UDNOKTSUSABGLN7XSMJG7UXHRXKNY4WLORH4OF4T75MG7E
             */
            token: string;
            /**
             * Format: date-time
             * @description The token expiration date in ISO 8601 format (`yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`).
             * @example 2020-11-24T08:15:30.144Z
             */
            expirationDate?: string;
        };
        /** @description Parameters of a new ActiveGate token. */
        ActiveGateTokenCreate: {
            /**
             * @description The name of the token.
             * @example myToken
             */
            name: string;
            /**
             * @description The expiration date of the token: UTC milliseconds, an ISO 8601 date such as `2021-01-25T05:57:01.123+01:00` (no time zone = UTC), or a relative time ahead such as `now+14d` (units `m h d w M y`). It may not be in the past nor more than 2 years ahead. If not set, the token never expires.
             * @example now+14d
             */
            expirationDate?: string;
            /**
             * @description The token is a seed token (`true`) or an individual token (`false`).
             *
             *      We recommend the individual token option (false).
             * @example false
             */
            seedToken?: boolean;
            /**
             * @description The type of the ActiveGate for which the token is valid.
             * @enum {string}
             */
            activeGateType: "ENVIRONMENT" | "CLUSTER";
        };
        /** @description Metadata of an ActiveGate token. */
        ActiveGateToken: {
            /**
             * @description The ActiveGate token identifier, consisting of [prefix and public part](https://dt-url.net/2903ss4) of the token.
             * @example dt0g02.4KWZO5EF
             */
            id: string;
            /**
             * @description The name of the token.
             * @example myToken
             */
            name: string;
            /**
             * @description The owner of the token.
             * @example john.smith
             */
            owner: string;
            /**
             * Format: date-time
             * @description The token creation date in ISO 8601 format (`yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`).
             * @example 2020-11-22T08:15:30.144Z
             */
            creationDate: string;
            /**
             * Format: date-time
             * @description The token expiration date in ISO 8601 format (`yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`).
             *
             *      If not set, the token never expires.
             * @example 2020-11-24T08:15:30.144Z
             */
            expirationDate?: string;
            /**
             * Format: date-time
             * @description The token last used date in ISO 8601 format (`yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`).
             * @example 2020-11-23T08:15:30.144Z
             */
            lastUsedDate?: string;
            /**
             * @description The token is a seed token (`true`) or an individual token (`false`).
             * @example false
             */
            seedToken?: boolean;
            /**
             * @description The type of the ActiveGate for which the token is valid.
             * @enum {string}
             */
            activeGateType: "ENVIRONMENT" | "CLUSTER" | (string & {});
        };
        /**
         * @description A list of ActiveGate tokens.
         * @example {
         *       "totalCount": 1,
         *       "pageSize": 100,
         *       "nextPageKey": null,
         *       "activeGateTokens": [
         *         {
         *           "id": "dt0g02.4KWZO5EF",
         *           "name": "myToken",
         *           "owner": "john.smith",
         *           "creationDate": "2020-11-22T08:15:30.144Z",
         *           "expirationDate": "2020-11-24T08:15:30.144Z",
         *           "lastUsedDate": "2020-11-23T08:15:30.144Z",
         *           "seedToken": false,
         *           "activeGateType": "ENVIRONMENT"
         *         }
         *       ]
         *     }
         */
        ActiveGateTokenList: {
            /**
             * Format: int64
             * @description The total number of entries in the result.
             */
            totalCount: number;
            /**
             * Format: int32
             * @description The number of entries per page.
             */
            pageSize?: number;
            /**
             * @description The cursor for the next page of results. Has the value of `null` on the last page.
             *
             *     Use it in the **nextPageKey** query parameter to obtain subsequent pages of the result.
             * @example AQAAABQBAAAABQ==
             */
            nextPageKey?: string | null;
            /** @description A list of ActiveGate tokens. */
            activeGateTokens?: components["schemas"]["ActiveGateToken"][];
        };
        /** @description The newly created token. */
        ApiTokenCreated: {
            /**
             * Format: date-time
             * @description The token expiration date in ISO 8601 format (`yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`).
             * @example 2020-11-12T08:15:30.144Z
             */
            expirationDate?: string;
            /**
             * @description The ID of the token, consisting of prefix and public part of the token.
             * @example dt0c01.ST2EY72KQINMH574WMNVI7YN
             */
            id: string;
            /**
             * @description The secret of the token.
             * @example dt0c01.ST2EY72KQINMH574WMNVI7YN.G3DFPBEJYMODIDAEX454M7YWBUVEFOWKPRVMWFASS64NFH52PX6BNDVFFM572RZM
             */
            token: string;
        };
        /** @description Parameters of a new API token. */
        ApiTokenCreate: {
            /**
             * @description The token is a personal access token (`true`) or an API token (`false`).
             *
             *      Personal access tokens are tied to the permissions of their owner.
             * @example false
             */
            personalAccessToken?: boolean;
            /**
             * @description The expiration date of the token.
             *
             *     You can use one of the following formats:
             *     * Timestamp in UTC milliseconds.
             *     * Human-readable format of `2021-01-25T05:57:01.123+01:00`. If no time zone is specified, UTC is used. You can use a space character instead of the `T`. Seconds and fractions of a second are optional.
             *     * Relative timeframe, back from now. The format is `now-NU/A`, where `N` is the amount of time, `U` is the unit of time, and `A` is an alignment. The alignment rounds all the smaller values to the nearest zero in the past. For example, `now-1y/w` is one year back, aligned by a week.
             *     You can also specify relative timeframe without an alignment: `now-NU`.
             *     Supported time units for the relative timeframe are:
             *        * `m`: minutes
             *        * `h`: hours
             *        * `d`: days
             *        * `w`: weeks
             *        * `M`: months
             *        * `y`: years
             *
             *     If not set, the token never expires.
             * @example now+14d
             */
            expirationDate?: string;
            /**
             * @description The name of the token.
             * @example tokenName
             */
            name: string;
            /** @description The scopes to assign to the token. */
            scopes: components["schemas"]["TokenScope"][];
        };
        /** @description Metadata of an API token. */
        ApiToken: {
            /**
             * @description Token last used IP address.
             * @example 34.197.2.44
             */
            lastUsedIpAddress?: string;
            /**
             * Format: date-time
             * @description Token last modified date in ISO 8601 format (`yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`). Updating scopes or name counts as modification, enabling or disabling a token does not.
             * @example 2020-11-12T08:15:30.144Z
             */
            modifiedDate?: string;
            /**
             * @description Contains additional properties for specific kinds of token. Examples:
             *
             *     * A `dashboardId` property for dashboard sharing tokens.
             *     * A `reportId` property for report sharing tokens
             * @example {
             *       "dashboardId": "82402bab-7370-4359-924d-88ed13c8919a"
             *     }
             */
            additionalMetadata?: {
                [key: string]: unknown;
            };
            /**
             * Format: date-time
             * @description Token expiration date in ISO 8601 format (`yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`).
             *
             *      If not set, the token never expires.
             * @example 2020-11-12T08:15:30.144Z
             */
            expirationDate?: string;
            /**
             * @description The token is a [personal access token](https://dt-url.net/wm03sop) (`true`) or an API token (`false`).
             * @example true
             */
            personalAccessToken?: boolean;
            /**
             * Format: date-time
             * @description Token last used date in ISO 8601 format (`yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`)
             * @example 2020-11-12T08:15:30.144Z
             */
            lastUsedDate?: string;
            /**
             * Format: date-time
             * @description Token creation date in ISO 8601 format (`yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`)
             * @example 2020-11-05T08:15:30.144Z
             */
            creationDate?: string;
            /**
             * @description The name of the token.
             * @example myToken
             */
            name?: string;
            /**
             * @description The ID of the token, consisting of prefix and public part of the token.
             * @example dt0c01.ST2EY72KQINMH574WMNVI7YN
             */
            id?: string;
            /**
             * @description The owner of the token.
             * @example john.smith
             */
            owner?: string;
            /**
             * @description The token is enabled (`true`) or disabled (`false`).
             * @example true
             */
            enabled?: boolean;
            /** @description A list of scopes assigned to the token. */
            scopes?: components["schemas"]["ResponseTokenScope"][];
        };
        /**
         * @description A list of API tokens.
         * @example {
         *       "totalCount": 1,
         *       "pageSize": 200,
         *       "nextPageKey": null,
         *       "apiTokens": [
         *         {
         *           "id": "dt0c01.ST2EY72KQINMH574WMNVI7YN",
         *           "name": "tokenName",
         *           "enabled": true,
         *           "personalAccessToken": true,
         *           "owner": "john.smith",
         *           "creationDate": "2020-11-05T08:15:30.144Z",
         *           "expirationDate": "2020-11-12T08:15:30.144Z",
         *           "lastUsedDate": "2020-11-12T08:15:30.144Z",
         *           "lastUsedIpAddress": "34.197.2.44",
         *           "modifiedDate": "2020-11-06T08:15:30.144Z",
         *           "scopes": [
         *             "metrics.read"
         *           ],
         *           "additionalMetadata": {
         *             "dashboardId": "82402bab-7370-4359-924d-88ed13c8919a"
         *           }
         *         }
         *       ]
         *     }
         */
        ApiTokenList: {
            /** @description A list of API tokens. */
            apiTokens?: components["schemas"]["ApiToken"][];
            /**
             * @description The cursor for the next page of results. Has the value of `null` on the last page.
             *
             *     Use it in the **nextPageKey** query parameter to obtain subsequent pages of the result.
             * @example AQAAABQBAAAABQ==
             */
            nextPageKey?: string | null;
            /**
             * Format: int32
             * @description The number of entries per page.
             */
            pageSize?: number;
            /**
             * Format: int64
             * @description The total number of entries in the result.
             */
            totalCount: number;
        };
        ApiTokenSecret: {
            /**
             * @description The API token.
             * @example dt0c01.ST2EY72KQINMH574WMNVI7YN.G3DFPBEJYMODIDAEX454M7YWBUVEFOWKPRVMWFASS64NFH52PX6BNDVFFM572RZM
             */
            token: string;
        };
        /** @description The update of the API token. */
        ApiTokenUpdate: {
            /**
             * @description The name of the token.
             * @example myToken
             */
            name?: string;
            /**
             * @description The token is enabled (`true`) or disabled (`false`)
             * @example true
             */
            enabled?: boolean;
            /** @description The scopes of the token. This list replaces the existing one: include the scopes to keep. */
            scopes?: components["schemas"]["TokenScope"][];
        };
        /**
         * @description A scope that can be assigned to a new or updated token.
         * @example metrics.read
         * @enum {string}
         */
        TokenScope: "InstallerDownload" | "DataExport" | "PluginUpload" | "SupportAlert" | "AdvancedSyntheticIntegration" | "ExternalSyntheticIntegration" | "RumBrowserExtension" | "LogExport" | "ReadConfig" | "WriteConfig" | "DTAQLAccess" | "UserSessionAnonymization" | "DataPrivacy" | "CaptureRequestData" | "Davis" | "DssFileManagement" | "RumJavaScriptTagManagement" | "TenantTokenManagement" | "ActiveGateCertManagement" | "RestRequestForwarding" | "ReadSyntheticData" | "DataImport" | "syntheticExecutions.write" | "syntheticExecutions.read" | "auditLogs.read" | "metrics.read" | "metrics.write" | "entities.read" | "entities.write" | "problems.read" | "problems.write" | "events.read" | "events.ingest" | "openpipeline.events" | "openpipeline.events.custom" | "openpipeline.events_security" | "openpipeline.events_security.custom" | "openpipeline.events_sdlc" | "openpipeline.events_sdlc.custom" | "openpipeline.events_smartscape" | "bizevents.ingest" | "networkZones.read" | "networkZones.write" | "activeGates.read" | "activeGates.write" | "activeGateTokenManagement.read" | "activeGateTokenManagement.create" | "activeGateTokenManagement.write" | "agentTokenManagement.read" | "credentialVault.read" | "credentialVault.write" | "extensions.read" | "extensions.write" | "extensionConfigurations.read" | "extensionConfigurations.write" | "extensionEnvironment.read" | "extensionEnvironment.write" | "metrics.ingest" | "attacks.read" | "attacks.write" | "securityProblems.read" | "securityProblems.write" | "syntheticLocations.read" | "syntheticLocations.write" | "settings.read" | "settings.write" | "tenantTokenRotation.write" | "slo.read" | "slo.write" | "releases.read" | "apiTokens.read" | "apiTokens.write" | "openTelemetryTrace.ingest" | "logs.read" | "logs.ingest" | "geographicRegions.read" | "oneAgents.read" | "oneAgents.write" | "traces.lookup" | "unifiedAnalysis.read" | "hub.read" | "hub.write" | "hub.install" | "javaScriptMappingFiles.read" | "javaScriptMappingFiles.write" | "extensionConfigurationActions.write" | "rumCookieNames.read" | "adaptiveTrafficManagement.read" | "rumManualInsertionTags.read" | "extensionDiscoveryJmx.read" | "extensionDiscoveryPmi.read";
        /**
         * @description A scope as reported on an existing token. The known values are listed in `x-extensible-enum`; Dynatrace adds scopes without a version bump, so any string may appear and clients must accept it.
         * @example metrics.read
         */
        ResponseTokenScope: "ActiveGateCertManagement" | "AdvancedSyntheticIntegration" | "CaptureRequestData" | "DTAQLAccess" | "DataExport" | "DataImport" | "DataPrivacy" | "Davis" | "DiagnosticExport" | "DssFileManagement" | "ExternalSyntheticIntegration" | "InstallerDownload" | "LogExport" | "MemoryDump" | "Mobile" | "PluginUpload" | "ReadConfig" | "ReadSyntheticData" | "RestRequestForwarding" | "RumBrowserExtension" | "RumJavaScriptTagManagement" | "SupportAlert" | "TenantTokenManagement" | "UserSessionAnonymization" | "ViewDashboard" | "ViewReport" | "WriteConfig" | "WriteSyntheticData" | "activeGateTokenManagement.create" | "activeGateTokenManagement.read" | "activeGateTokenManagement.write" | "activeGates.read" | "activeGates.write" | "adaptiveTrafficManagement.read" | "agentTokenManagement.read" | "apiTokens.read" | "apiTokens.write" | "attacks.read" | "attacks.write" | "auditLogs.read" | "bizevents.ingest" | "credentialVault.read" | "credentialVault.write" | "entities.read" | "entities.write" | "events.ingest" | "events.read" | "extensionConfigurationActions.write" | "extensionConfigurations.read" | "extensionConfigurations.write" | "extensionDiscoveryJmx.read" | "extensionDiscoveryPmi.read" | "extensionEnvironment.read" | "extensionEnvironment.write" | "extensions.read" | "extensions.write" | "geographicRegions.read" | "hub.install" | "hub.read" | "hub.write" | "javaScriptMappingFiles.read" | "javaScriptMappingFiles.write" | "logs.ingest" | "logs.read" | "metrics.ingest" | "metrics.read" | "metrics.write" | "networkZones.read" | "networkZones.write" | "oneAgents.read" | "oneAgents.write" | "openTelemetryTrace.ingest" | "openpipeline.events" | "openpipeline.events.custom" | "openpipeline.events_sdlc" | "openpipeline.events_sdlc.custom" | "openpipeline.events_security" | "openpipeline.events_security.custom" | "openpipeline.events_smartscape" | "problems.read" | "problems.write" | "releases.read" | "rumCookieNames.read" | "rumManualInsertionTags.read" | "securityProblems.read" | "securityProblems.write" | "settings.read" | "settings.write" | "slo.read" | "slo.write" | "syntheticExecutions.read" | "syntheticExecutions.write" | "syntheticLocations.read" | "syntheticLocations.write" | "tenantTokenRotation.write" | "traces.lookup" | "unifiedAnalysis.read" | (string & {});
        /** @description A token with every field, as get and lookup return it. The required fields are always there; the others Dynatrace leaves out when they have no value. */
        FullApiToken: WithRequired<components["schemas"]["ApiToken"], "creationDate" | "enabled" | "id" | "name" | "owner" | "personalAccessToken" | "scopes">;
    };
    responses: {
        /** @description Failed. The input is invalid. */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json; charset=utf-8": components["schemas"]["ErrorEnvelope"];
            };
        };
        /** @description Failed. The token is missing, malformed, unknown, disabled or expired. */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": 401,
                 *         "message": "Missing authorization parameter."
                 *       }
                 *     }
                 */
                "application/json; charset=utf-8": components["schemas"]["ErrorEnvelope"];
            };
        };
        /** @description Failed. The token lacks a required scope, or may not act on this token. */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": 403,
                 *         "message": "Token is missing required scope. Use one of: apiTokens.read (Read API tokens)"
                 *       }
                 *     }
                 */
                "application/json; charset=utf-8": components["schemas"]["ErrorEnvelope"];
            };
        };
        /** @description Failed. The requested resource doesn't exist. */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json; charset=utf-8": components["schemas"]["ErrorEnvelope"];
            };
        };
        /** @description Failed. The environment is throttling requests; retry later. */
        TooManyRequests: {
            headers: {
                "Retry-After": components["headers"]["Retry-After"];
                [name: string]: unknown;
            };
            content: {
                "application/json; charset=utf-8": components["schemas"]["ErrorEnvelope"];
            };
        };
        /** @description Failed. An unexpected error on the server side. */
        ServerError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json; charset=utf-8": components["schemas"]["ErrorEnvelope"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: {
        /** @description Seconds to wait before retrying (sent by the dt-tokens sandbox; not documented by Dynatrace, whose clients must also handle an HTTP date or no header at all). */
        "Retry-After": number;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getAllActiveGates: {
        parameters: {
            query?: {
                /**
                 * @description Filters the resulting set of ActiveGates by the name of the host it's running on.
                 *
                 *      You can specify a partial name. In that case, the `CONTAINS` operator is used.
                 */
                hostname?: string;
                /** @description Filters the resulting set of ActiveGates by the OS type of the host it's running on. */
                osType?: "LINUX" | "WINDOWS";
                /**
                 * @description Filters the resulting set of ActiveGates by the network address.
                 *
                 *      You can specify a partial address. In that case, the `CONTAINS` operator is used.
                 */
                networkAddress?: string;
                /**
                 * @description Filters the resulting set of ActiveGates by the Load Balancer address.
                 *
                 *      You can specify a partial address. In that case, the `CONTAINS` operator is used.
                 */
                loadBalancerAddress?: string;
                /** @description Filters the resulting set of ActiveGates by the ActiveGate type. */
                type?: "ENVIRONMENT" | "ENVIRONMENT_MULTI";
                /**
                 * @description Filters the resulting set of ActiveGates by the network zone.
                 *
                 *      You can specify a partial name. In that case, the `CONTAINS` operator is used.
                 */
                networkZone?: string;
                /** @description Filters the resulting set of ActiveGates by the auto-update status. */
                updateStatus?: "INCOMPATIBLE" | "OUTDATED" | "SCHEDULED" | "SUPPRESSED" | "UNKNOWN" | "UP2DATE" | "UPDATE_IN_PROGRESS" | "UPDATE_PENDING" | "UPDATE_PROBLEM";
                /**
                 * @description Filters the resulting set of ActiveGates by the specified version.
                 *
                 *      Specify the comparison operator here.
                 */
                versionCompareType?: "EQUAL" | "GREATER" | "GREATER_EQUAL" | "LOWER" | "LOWER_EQUAL";
                /**
                 * @description Filters the resulting set of ActiveGates by the specified version.
                 *
                 *      Specify the version in `<major>.<minor>.<revision>` format (for example, `1.195.0`) here.
                 */
                version?: string;
                /** @description Filters the resulting set of ActiveGates by the actual state of auto-update. */
                autoUpdate?: "DISABLED" | "ENABLED";
                /**
                 * @description Filters the resulting set of ActiveGates by the group.
                 *
                 *      You can specify a partial name. In that case, the `CONTAINS` operator is used.
                 */
                group?: string;
                /** @description Filters the resulting set of ActiveGates by the communication status. */
                online?: boolean;
                /** @description Filters the resulting set of ActiveGates by the enabled modules. */
                enabledModule?: ("AWS" | "AZURE" | "BEACON_FORWARDER" | "CLOUD_FOUNDRY" | "DB_INSIGHT" | "EXTENSIONS_V1" | "EXTENSIONS_V2" | "KUBERNETES" | "LOGS" | "MEMORY_DUMPS" | "METRIC_API" | "ONE_AGENT_ROUTING" | "OTLP_INGEST" | "REST_API" | "SYNTHETIC" | "VMWARE" | "Z_OS")[];
                /** @description Filters the resulting set of ActiveGates by the disabled modules. */
                disabledModule?: ("AWS" | "AZURE" | "BEACON_FORWARDER" | "CLOUD_FOUNDRY" | "DB_INSIGHT" | "EXTENSIONS_V1" | "EXTENSIONS_V2" | "KUBERNETES" | "LOGS" | "MEMORY_DUMPS" | "METRIC_API" | "ONE_AGENT_ROUTING" | "OTLP_INGEST" | "REST_API" | "SYNTHETIC" | "VMWARE" | "Z_OS")[];
                /** @description Filters the resulting set of ActiveGates to those which are running in container (`true`) or not (`false`). */
                containerized?: boolean;
                /** @description Filters the resulting set of ActiveGates to those with authorization token in specified state. */
                tokenState?: "ABSENT" | "EXPIRING" | "INVALID" | "UNKNOWN" | "UNSUPPORTED" | "VALID";
                /** @description Filters the resulting set of ActiveGates to those with set expiration date for authorization token. */
                tokenExpirationSet?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ActiveGateList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    getOneActiveGateById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The ID of the required ActiveGate. */
                agId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ActiveGate"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    getActiveGateTokenEnforcement: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. The response contains the status of ActiveGate tokens enforcement */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ActiveGateTokenEnforcement"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    listActiveGateTokens: {
        parameters: {
            query?: {
                /**
                 * @description The cursor for the next page of results. You can find it in the **nextPageKey** field of the previous response.
                 *
                 *     The first page is always returned if you don't specify the **nextPageKey** query parameter.
                 *
                 *     When the **nextPageKey** is set to obtain subsequent pages, you must omit all other query parameters.
                 */
                nextPageKey?: string;
                /**
                 * @description The amount of ActiveGate tokens in a single response payload.
                 *
                 *     The maximal allowed page size is 3000 and the minimal size is 100.
                 *
                 *     If not set, 100 is used.
                 */
                pageSize?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. The response contains the list of ActiveGate tokens. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ActiveGateTokenList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    createActiveGateToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description The JSON body of the request. Contains parameters of the new ActiveGate token. */
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["ActiveGateTokenCreate"];
            };
        };
        responses: {
            /** @description Success. The token has been created. The body of the response contains the token secret. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ActiveGateTokenCreated"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    getActiveGateToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The ActiveGate token identifier, consisting of [prefix and public part](https://dt-url.net/2903ss4) of the token. */
                activeGateTokenIdentifier: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. The response contains the metadata of the tokens. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ActiveGateToken"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    deleteActiveGateToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The ActiveGate token identifier, consisting of [prefix and public part](https://dt-url.net/2903ss4) of the token to be deleted. */
                activeGateTokenIdentifier: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. Response doesn't have a body. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    listApiTokens: {
        parameters: {
            query?: {
                /**
                 * @description The cursor for the next page of results. You can find it in the **nextPageKey** field of the previous response.
                 *
                 *     The first page is always returned if you don't specify the **nextPageKey** query parameter.
                 *
                 *     When the **nextPageKey** is set to obtain subsequent pages, you must omit all other query parameters.
                 */
                nextPageKey?: string;
                /**
                 * @description The amount of API tokens in a single response payload.
                 *
                 *     The maximal allowed page size is 10000 and the minimal allowed page size is 100.
                 *
                 *     If not set, 200 is used.
                 */
                pageSize?: number;
                /**
                 * @description Filters the resulting sets of tokens. Only tokens matching the specified criteria are included into response.
                 *
                 *     You can set one or more of the following criteria:
                 *
                 *     * Owner: `owner("value")`. The user that owns the token. Case-sensitive.
                 *     * Personal access token: `personalAccessToken(false)`. Set to `true` to include only personal access tokens or to `false` to include only API tokens.
                 *     * Token scope: `scope("scope1","scope2")`. If several values are specified, the **OR** logic applies.
                 *
                 *     To set multiple criteria, separate them with commas (`,`). Only results matching **all** criteria are included into response.
                 */
                apiTokenSelector?: string;
                /**
                 * @description Specifies the fields to be included in the response.
                 *
                 *     The following fields are included by default:
                 *
                 *     * `id`
                 *     * `name`
                 *     * `enabled`
                 *     * `owner`
                 *     * `creationDate`
                 *
                 *     To remove fields from the response, specify them with the minus (`-`) operator as a comma-separated list (for example, `-creationDate,-owner`).
                 *
                 *     You can include additional fields:
                 *
                 *     * `personalAccessToken`
                 *     * `expirationDate`
                 *     * `lastUsedDate`
                 *     * `lastUsedIpAddress`
                 *     * `modifiedDate`
                 *     * `scopes`
                 *
                 *     * `additionalMetadata`
                 *
                 *     To add fields to the response, specify them with the plus (`+`) operator as a comma-separated list (for example, `+expirationDate,+scopes`). You can combine adding and removing of fields (for example, `+scopes,-creationDate`).
                 *
                 *     Alternatively, you can define the desired set of fields in the response. Specify the required fields as a comma-separated list, without operators (for example, `creationDate,expirationDate,owner`). The ID is always included in the response.
                 *
                 *     The **fields** string must be URL-encoded.
                 */
                fields?: string;
                /**
                 * @description Filters tokens based on the last usage time.
                 *     The start of the requested timeframe.
                 *
                 *     You can use one of the following formats:
                 *     * Timestamp in UTC milliseconds.
                 *     * Human-readable format of `2021-01-25T05:57:01.123+01:00`. If no time zone is specified, UTC is used. You can use a space character instead of the `T`. Seconds and fractions of a second are optional.
                 *     * Relative timeframe, back from now. The format is `now-NU/A`, where `N` is the amount of time, `U` is the unit of time, and `A` is an alignment. The alignment rounds all the smaller values to the nearest zero in the past. For example, `now-1y/w` is one year back, aligned by a week.
                 *     You can also specify relative timeframe without an alignment: `now-NU`.
                 *     Supported time units for the relative timeframe are:
                 *        * `m`: minutes
                 *        * `h`: hours
                 *        * `d`: days
                 *        * `w`: weeks
                 *        * `M`: months
                 *        * `y`: years
                 */
                from?: string;
                /**
                 * @description Filters tokens based on the last usage time.
                 *     The end of the requested timeframe.
                 *
                 *     You can use one of the following formats:
                 *     * Timestamp in UTC milliseconds.
                 *     * Human-readable format of `2021-01-25T05:57:01.123+01:00`. If no time zone is specified, UTC is used. You can use a space character instead of the `T`. Seconds and fractions of a second are optional.
                 *     * Relative timeframe, back from now. The format is `now-NU/A`, where `N` is the amount of time, `U` is the unit of time, and `A` is an alignment. The alignment rounds all the smaller values to the nearest zero in the past. For example, `now-1y/w` is one year back, aligned by a week.
                 *     You can also specify relative timeframe without an alignment: `now-NU`.
                 *     Supported time units for the relative timeframe are:
                 *        * `m`: minutes
                 *        * `h`: hours
                 *        * `d`: days
                 *        * `w`: weeks
                 *        * `M`: months
                 *        * `y`: years
                 *
                 *     If not set, the current timestamp is used.
                 */
                to?: string;
                /**
                 * @description The sort order of the token list.
                 *
                 *     You can sort by the following properties with a sign prefix for the sort order:
                 *
                 *      * `name`: token name (`+` a...z or `-` z...a)
                 *      * `lastUsedDate` last used (`+` never used tokens first `-` most recently used tokens first)
                 *      * `creationDate` (`+` oldest tokens first `-` newest tokens first)
                 *      * `expirationDate` (`+` tokens that expire soon first `-` unlimited tokens first)
                 *      * `modifiedDate` last modified (`+` never modified tokens first `-` most recently modified tokens first)
                 *
                 *     If no prefix is set, + is used.
                 *
                 *     If not set, tokens are sorted by creation date with newest first.
                 */
                sort?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ApiTokenList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    createApiToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description The JSON body of the request. Contains parameters of the new API token. */
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["ApiTokenCreate"];
            };
        };
        responses: {
            /** @description Success. The token has been created. The body of the response contains the token secret. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["ApiTokenCreated"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    getApiToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The ID of the token. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["FullApiToken"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    updateApiToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The ID of the token to be updated.
                 *
                 *      You can't disable the token you're using for authentication of the request.
                 */
                id: string;
            };
            cookie?: never;
        };
        /** @description The JSON body of the request. Contains updated parameters of the API token. */
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["ApiTokenUpdate"];
            };
        };
        responses: {
            /** @description Success. Response doesn't have a body. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    deleteApiToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The ID of the token to be deleted.
                 *
                 *     You can specify either the ID or the secret of the token.
                 *
                 *     You can't delete the token you're using for authentication of the request.
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. Response doesn't have a body. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    lookupApiToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description The JSON body of the request. Contains the required token. */
        requestBody: {
            content: {
                "application/json; charset=utf-8": components["schemas"]["ApiTokenSecret"];
            };
        };
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json; charset=utf-8": components["schemas"]["FullApiToken"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            "5XX": components["responses"]["ServerError"];
        };
    };
}
type WithRequired<T, K extends keyof T> = T & {
    [P in K]-?: T[P];
};
