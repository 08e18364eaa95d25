import { Component, type ErrorInfo, type ReactNode } from 'react';
import { ErrorFallback } from '../components/ErrorFallback';
import { reportError } from './errorReporting';

interface Props {
  children: ReactNode;
}

interface State {
  failed: boolean;
}

/** The last line of defence around the whole console: reports a render crash and shows a friendly page. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { failed: false };

  static getDerivedStateFromError(): State {
    return { failed: true };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    reportError(error, 'render', info.componentStack ?? undefined);
  }

  override render(): ReactNode {
    return this.state.failed ? <ErrorFallback /> : this.props.children;
  }
}
