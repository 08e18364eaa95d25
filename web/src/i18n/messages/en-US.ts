import type { Messages } from './zh-CN';

export const enUS: Messages = {
  'app.name': 'Yunguan',
  'app.fullName': 'Yunguan · Government Cloud Management',
  'app.subtitle': 'Gov Cloud Management',
  'app.logoAlt': 'Yunguan logo',

  'nav.console': 'Console',
  'nav.overview': 'Overview',
  'nav.jurisdictions': 'Jurisdictions',
  'nav.notFound': 'Page not found',
  'nav.menu': 'Main menu',
  'nav.breadcrumb': 'You are here',

  'header.organisation': 'Organisation',
  'header.noOrganisation': 'No default jurisdiction',
  'header.apiDocs': 'API docs',

  'user.notSignedIn': 'Not signed in',
  'user.signIn': 'Sign in',

  'language.label': 'Language',

  'common.loading': 'Loading…',
  'common.none': 'None',

  'login.documentTitle': 'Sign in',
  'login.heading': 'Sign in',
  'login.version': 'Version {version}',
  'login.jurisdiction': 'Jurisdiction: {name}',
  'login.noticeTitle': 'Account sign-in is not available yet',
  'login.noticeBody':
    'Unified identity authentication and account sign-in will be enabled when the identity module goes live. Until then the console shows read-only platform information.',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.enterConsole': 'Enter console',

  'overview.description': 'How this installation runs, and its jurisdictions at a glance.',
  'overview.systemCard': 'System information',
  'overview.product': 'Product',
  'overview.version': 'Version',
  'overview.environment': 'Environment',
  'overview.database': 'Database',
  'overview.defaultJurisdiction': 'Default jurisdiction',
  'overview.chartCard': 'Jurisdictions by kind',
  'overview.chartTotal': '{count} jurisdictions in total',
  'overview.chartSeries': 'Jurisdictions',
  'overview.chartAria': 'Bar chart of jurisdictions by kind: {summary}',
  'overview.chartEmpty': 'No jurisdictions yet',

  'environment.development': 'Development',
  'environment.production': 'Production',
  'database.pglite': 'Embedded database (PGlite)',
  'database.postgres': 'PostgreSQL',

  'jurisdictions.description': 'The city cloud with its district clouds and dedicated domains.',
  'jurisdictions.code': 'Code',
  'jurisdictions.name': 'Name',
  'jurisdictions.kind': 'Kind',
  'jurisdictions.policyPack': 'Policy pack',
  'jurisdictions.createdAt': 'Created',
  'jurisdictions.empty': 'No jurisdictions',

  'kind.city': 'City cloud',
  'kind.district': 'District cloud',
  'kind.dedicated_domain': 'Dedicated domain',

  'notFound.title': 'Page not found',
  'notFound.subtitle': 'The console has no page at {path}.',
  'notFound.back': 'Back to overview',

  'error.loadFailed': 'Could not load',
  'error.network': 'Cannot reach the server. Check the network and try again.',
  'error.invalidResponse': 'The server sent a response the console could not read.',
  'error.http': 'Request failed (HTTP {status})',
  'error.requestId': 'Request ID',
  'error.retry': 'Retry',
  'error.unexpectedTitle': 'Something went wrong',
  'error.unexpectedBody':
    'The error has been reported automatically. Reload the page and try again; if it persists, contact the platform operators.',
  'error.reload': 'Reload',
  'error.backHome': 'Back to overview',
  'error.toast': 'An unexpected error occurred and has been reported.',
};
