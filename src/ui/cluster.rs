//! The cluster area: the panels that will show the simulated cluster live. Until the engine is
//! wired to the shell they are placeholders with their final names and places:
//! [`BrokersPanel`] (brokers as columns, replicas as tiles), [`PartitionsPanel`] (the partition
//! log view) and [`GroupsPanel`] (consumer groups and lag).
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ClusterProps {
    pub brokers: u32,
}

#[function_component(ClusterArea)]
pub fn cluster_area(props: &ClusterProps) -> Html {
    html! {
        <section class="cluster" aria-label="Cluster">
            <BrokersPanel brokers={props.brokers} />
            <PartitionsPanel />
            <GroupsPanel />
        </section>
    }
}

/// Brokers as columns. To come: state (alive, crashed, stopped, isolated), the controller mark,
/// replica tiles (leader, ISR, out of ISR), and a click menu running `sim crash|stop|start|isolate`.
#[function_component(BrokersPanel)]
pub fn brokers_panel(props: &ClusterProps) -> Html {
    html! {
        <section class="panel brokers" aria-labelledby="brokers-title">
            <h2 id="brokers-title">{ "Brokers" }</h2>
            <ul class="broker-columns">
                { for (1..=props.brokers).map(|id| html! {
                    <li class="broker" key={id}>
                        <span class="broker-name">{ format!("Broker {id}") }</span>
                        <span class="broker-state placeholder">{ "state: not connected yet" }</span>
                    </li>
                }) }
            </ul>
        </section>
    }
}

/// The partition log view. To come: records as cells, LEO and high watermark per replica, log
/// start offset, segments, compaction.
#[function_component(PartitionsPanel)]
pub fn partitions_panel() -> Html {
    html! {
        <section class="panel partitions" aria-labelledby="partitions-title">
            <h2 id="partitions-title">{ "Partitions" }</h2>
            <p class="placeholder">{ "Topics and their partitions appear here once the cluster runs." }</p>
        </section>
    }
}

/// Consumer groups. To come: members, assignments, committed offsets against the high
/// watermark, lag over time, rebalances.
#[function_component(GroupsPanel)]
pub fn groups_panel() -> Html {
    html! {
        <section class="panel groups" aria-labelledby="groups-title">
            <h2 id="groups-title">{ "Consumer groups" }</h2>
            <p class="placeholder">{ "Consumer groups, their members and their lag appear here." }</p>
        </section>
    }
}
