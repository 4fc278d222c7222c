-- Question: What is the total revenue by region?
-- Description: Revenue per sales region of the customer, largest first.
SELECT r.name AS region,
       ROUND(SUM(oi.quantity * oi.unit_price * (1 - oi.discount)), 2) AS revenue
FROM regions AS r
JOIN customers AS c ON c.region_id = r.region_id
JOIN orders AS o ON o.customer_id = c.customer_id
JOIN order_items AS oi ON oi.order_id = o.order_id
WHERE o.status NOT IN ('cancelled', 'returned')
GROUP BY r.region_id, r.name
ORDER BY revenue DESC;
